import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { Customer } from "../src/customer";
import { offlineMocks } from "../src/plan/mocks";
import { REPO_ROOT, resolveStack } from "./helpers";

const STACK = "ff-a-prod";
const PROJECT = "ffnodes";
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** One registration as the program sends it to the engine. */
interface Registration {
  type: string;
  name: string;
  parent: string;
  aliases: { name: string; type: string; noParent: boolean; parentUrn: string }[];
}

/**
 * A resource's URN as the engine computes it (pulumi/pulumi sdk/go/common/resource/urn.go,
 * NewURN): the parent's qualified type chain, except the root stack's, then the type and name.
 */
function engineUrn(type: string, name: string, parentUrn: string): string {
  const parentType = parentUrn === "" ? "" : parentUrn.split("::")[2];
  const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
  return `urn:pulumi:${STACK}::${PROJECT}::${qualified}::${name}`;
}

/**
 * The URN an alias spec stands for, as the engine reads it (pulumi/pulumi
 * pkg/resource/deploy/source_eval.go, RegisterResource, with aliasSpecs set as this SDK sends
 * it): an empty name or type is the resource's own; `noParent` means no parent at all,
 * otherwise the given parent, else the resource's own.
 */
function aliasUrn(registration: Registration, alias: Registration["aliases"][number]): string {
  const parent = alias.noParent ? "" : alias.parentUrn || registration.parent;
  return engineUrn(alias.type || registration.type, alias.name || registration.name, parent);
}

/** Runs `program` under the SDK's mock engine and records every registration, with the URNs the engine would give. */
async function register(program: () => pulumi.Resource[]): Promise<(Registration & { urn: string })[]> {
  await pulumi.runtime.setMocks(offlineMocks, PROJECT, STACK, false);
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (req: RegisterResourceRequest, cb: unknown) => unknown };
  const registrations: Registration[] = [];
  const send = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    registrations.push({
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      aliases: req.getAliasesList().flatMap((a) => {
        const spec = a.getSpec();
        return spec ? [{ name: spec.getName(), type: spec.getType(), noParent: spec.getNoparent(), parentUrn: spec.getParenturn() }] : [];
      }),
    });
    return send(req, cb);
  };
  const resources = program();
  // Children register once their parents have: wait until every resource the run created has its URN.
  for (let settled = 0; settled < resources.length; settled = resources.length) {
    await Promise.all(resources.slice(settled).map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  }
  // The mock engine names parents by their last type only; the engine qualifies the whole chain.
  const urns = new Map<string, string>();
  return registrations.map((r) => {
    const parent = urns.get(r.parent) ?? r.parent;
    const urn = engineUrn(r.type, r.name, parent);
    urns.set(engineMockUrn(r), urn);
    return { ...r, parent, urn };
  });
}

/** The URN the mock engine answers a registration with (@pulumi/pulumi runtime/mocks.js, newUrn). */
function engineMockUrn(r: Registration): string {
  const type = r.parent ? `${r.parent.split("::")[2].split("$").pop()}$${r.type}` : r.type;
  return `urn:pulumi:${STACK}::${PROJECT}::${type}::${r.name}`;
}

/** The program for ff-a-prod: the Customer component and everything below it. */
function everyResourceOfTheProgram(): pulumi.Resource[] {
  const resources: pulumi.Resource[] = [];
  const collect: pulumi.ResourceTransformation = (args) => {
    resources.push(args.resource);
    return undefined;
  };
  new Customer(resolveStack(REPO_ROOT, STACK), { transformations: [collect] });
  return resources;
}

describe("aliases of the data holders", function () {
  this.timeout(30_000);

  it("a namespace created at the top level by an earlier program is the one the Customer component now declares", async () => {
    // The earlier program: the namespace registered with no parent, at the top level of the stack.
    const before = await register(() => [new k8s.core.v1.Namespace("namespace", { metadata: { name: "ff-a" } })]);
    const earlier = before.find((r) => r.name === "namespace");
    assert.ok(earlier);

    const after = await register(everyResourceOfTheProgram);
    const now = after.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.name === "namespace");
    assert.ok(now);
    assert.notEqual(now.urn, earlier.urn, "moved into the isolation component, its URN changed");
    assert.ok(now.aliases.map((a) => aliasUrn(now, a)).includes(earlier.urn), "its alias names the URN it had at the top level");
  });

  it("the data holders, and only they, carry that alias: no parent, their own name and type", async () => {
    const after = await register(everyResourceOfTheProgram);
    // Providers' SDKs add aliases of their own (earlier type tokens); ffnodes's say "no parent".
    const topLevel = (r: Registration) => r.aliases.filter((a) => a.noParent);
    const holders = after.filter((r) => topLevel(r).length > 0);
    assert.deepEqual(holders.map((r) => `${r.type}::${r.name}`).sort(), [
      "kubernetes:core/v1:Namespace::namespace",
      "kubernetes:core/v1:PersistentVolumeClaim::claim-minio",
      "kubernetes:core/v1:PersistentVolumeClaim::claim-postgresql",
      "vault:index/mount:Mount::vault-mount",
      "vault:kv/secretV2:SecretV2::vault-credentials",
    ]);
    for (const holder of holders) {
      assert.deepEqual(topLevel(holder), [{ name: "", type: "", noParent: true, parentUrn: "" }], holder.name);
      assert.equal(aliasUrn(holder, topLevel(holder)[0]), `urn:pulumi:${STACK}::${PROJECT}::${holder.type}::${holder.name}`);
      assert.notEqual(holder.urn, aliasUrn(holder, topLevel(holder)[0]), `${holder.name} now lives in a component`);
    }
  });
});
