import { strict as assert } from "node:assert";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PlannedResource } from "../src/plan/engine";

/** Upstream Kubernetes schemas for the core kinds a stack creates, by Pulumi type token. */
const CORE_MODELS: Record<string, (manifest: object) => { validate(): void }> = {
  "kubernetes:core/v1:Namespace": (m) => new Namespace(m),
  "kubernetes:core/v1:ResourceQuota": (m) => new ResourceQuota(m),
  "kubernetes:core/v1:LimitRange": (m) => new LimitRange(m),
  "kubernetes:core/v1:PersistentVolumeClaim": (m) => new PersistentVolumeClaim(m),
  "kubernetes:core/v1:Secret": (m) => new Secret(m),
  "kubernetes:core/v1:Service": (m) => new Service(m),
  "kubernetes:apps/v1:Deployment": (m) => new Deployment(m),
  "kubernetes:networking.k8s.io/v1:Ingress": (m) => new Ingress(m),
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": (m) => new NetworkPolicy(m),
  "kubernetes:rbac.authorization.k8s.io/v1:Role": (m) => new Role(m),
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": (m) => new RoleBinding(m as ConstructorParameters<typeof RoleBinding>[0]),
};

export function isCoreKind(resource: PlannedResource): boolean {
  return resource.type in CORE_MODELS;
}

/** Validates a planned core resource's inputs against the upstream schema; throws with the kind and name. */
export function validateCoreManifest(resource: PlannedResource): void {
  const model = CORE_MODELS[resource.type];
  assert.ok(model, `no upstream model for ${resource.type}`);
  try {
    model(resource.inputs).validate();
  } catch (e) {
    assert.fail(`${resource.type} ${resource.name} does not match the upstream schema: ${(e as Error).message}`);
  }
}
