import { z } from "zod";
import { dnsLabel, storageSize } from "./common";

const accessMode = z.enum(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]);

const claimSettings = z.strictObject({
  size: storageSize,
  /** Adopt this existing claim instead of creating `pvc-<namespace>-<claim>`. */
  existingClaim: dnsLabel.optional(),
  storageClassName: z.string().min(1, "the name of a StorageClass in the cluster, such as standard").optional(),
  accessModes: z.array(accessMode).min(1, "at least one access mode"),
});

export const storageSettings = {
  /** Storage class for claims that do not name their own. */
  storageClassName: z.string().min(1, "the name of a StorageClass in the cluster"),
  /** One PersistentVolumeClaim per entry; the key names the claim (`minio`, `postgresql`, ...). */
  storage: z.record(dnsLabel, claimSettings).meta({ description: "a mapping of claims to their settings, such as minio: { size: 64Gi, accessModes: [ReadWriteOnce] }" }),
};
