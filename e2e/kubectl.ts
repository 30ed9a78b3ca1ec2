// The one way the e2e environment and its tests run kubectl: the toolchain's binary (found on the
// cluster's PATH), against the cluster's kubeconfig.
import { spawnSync } from "node:child_process";

/** Where kubectl finds the API server (a kubeconfig) and itself (PATH in `vars`). */
export interface Cluster {
  kubeconfig: string;
  vars: Record<string, string>;
}

export interface KubeObject {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

class KubectlError extends Error {
  constructor(
    args: string[],
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(" ")}: ${stderr}`);
  }
}

/** Runs kubectl and returns its output; fails with its error output unless it exits 0. */
export function kubectl(cluster: Cluster, args: string[], input?: string): string {
  const result = spawnSync("kubectl", ["--kubeconfig", cluster.kubeconfig, ...args], { encoding: "utf8", input, env: { ...process.env, ...cluster.vars } });
  if (result.error) throw new Error(`kubectl: ${result.error.message}`);
  if (result.status !== 0) throw new KubectlError(args, result.stderr);
  return result.stdout;
}

/** A live object, or undefined when it does not exist. */
export function kubeGet(cluster: Cluster, kind: string, name: string, namespace?: string): KubeObject | undefined {
  try {
    return JSON.parse(kubectl(cluster, ["get", kind, name, "-o", "json", ...(namespace ? ["-n", namespace] : [])])) as KubeObject;
  } catch (e) {
    if (e instanceof KubectlError && /NotFound|not found/.test(e.stderr)) return undefined;
    throw e;
  }
}

export function kubeList(cluster: Cluster, kind: string, namespace: string): KubeObject[] {
  return (JSON.parse(kubectl(cluster, ["get", kind, "-n", namespace, "-o", "json"])) as { items: KubeObject[] }).items;
}
