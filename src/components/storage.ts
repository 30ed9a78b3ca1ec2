import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADOPT_KEY } from "../config/adopt";
import { EnvironmentConfig } from "../config/environment";
import { namespacedId } from "../config/names";
import { standardLabels } from "./labels";
import { ADOPTABLE, adoptedId, holdsData } from "./safety";

interface ClaimSpec {
  /** The storage entry's key (`minio`, `postgresql`, ...). */
  key: string;
  /** The claim's name, which the charts' `existingClaim` values refer to. */
  name: string;
  /** Logical name, also the key of its id in `ffnodes:adoptIds`: `claim-<key>`. */
  logicalName: string;
  /** Set in adopt mode, when the claim (named by existingClaim, or derived) already exists: `<namespace>/<name>`. */
  importId?: string;
  args: {
    metadata: k8s.types.input.meta.v1.ObjectMeta;
    spec: k8s.types.input.core.v1.PersistentVolumeClaimSpec;
  };
}

/** One claim per storage entry, sorted by key: `pvc-<namespace>-<key>` unless an existing claim is named. */
function buildClaims(config: EnvironmentConfig): ClaimSpec[] {
  const { settings } = config;
  const { namespace } = config.tenancy;
  return Object.entries(settings.storage)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, claim]) => {
      const name = config.tenancy.claims[key];
      const logicalName = ADOPT_KEY.claim(key);
      return {
        key,
        name,
        logicalName,
        importId: adoptedId(config.adopt, logicalName, namespacedId(namespace, name)),
        args: {
          metadata: {
            name,
            namespace,
            annotations: ADOPTABLE,
            labels: { ...standardLabels(config, "storage"), "ffnodes.fitfile.net/claim": key },
          },
          spec: {
            accessModes: claim.accessModes,
            storageClassName: claim.storageClassName ?? settings.storageClassName,
            resources: { requests: { storage: claim.size } },
          },
        },
      };
    });
}

/** The customer's PersistentVolumeClaims: protected, retained, and adopted in adopt mode. */
export class Storage extends pulumi.ComponentResource {
  /** Claim names by storage key. */
  readonly claims: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:Storage", name, {}, opts);
    for (const claim of buildClaims(config)) {
      const pvc = new k8s.core.v1.PersistentVolumeClaim(
        claim.logicalName,
        claim.args,
        holdsData({ parent: this, import: claim.importId }),
      );
      this.claims[claim.key] = pvc.metadata.name;
    }
    this.registerOutputs({ claims: this.claims });
  }
}
