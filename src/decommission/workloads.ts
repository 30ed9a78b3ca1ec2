import { capture } from "./exec";

/** The customer's workloads in the cluster, as a decommission stops them. */
export interface Workloads {
  /** Waits until Argo CD has removed the Applications its ApplicationSet generated for the namespace. */
  waitForApplicationsGone(namespace: string, argocdNamespace: string): Promise<void>;
  /**
   * Deletes the namespace's workloads (what runs: controllers, jobs and pods) and waits until no
   * pod is left. Claims, Services, ConfigMaps and Secrets stay; Argo CD recreates the workloads
   * if the customer is restored. Returns what it deleted.
   */
  remove(namespace: string): Promise<string[]>;
}

/** What runs in a namespace. A StatefulSet's claims outlive it (Kubernetes' default retention). */
const WORKLOAD_KINDS = "deployments.apps,statefulsets.apps,daemonsets.apps,replicasets.apps,cronjobs.batch,jobs.batch,pods";

/** Selects what ffnodes labelled as the customer's (src/components/labels.ts). */
const selectorOf = (namespace: string) => `app.kubernetes.io/managed-by=ffnodes,app.kubernetes.io/instance=${namespace}`;

/** The workloads through `kubectl`, on the stack's Kubernetes context. */
export class KubectlWorkloads implements Workloads {
  constructor(
    private readonly context: string | undefined,
    private readonly timeoutSeconds = 300,
  ) {}

  async waitForApplicationsGone(namespace: string, argocdNamespace: string): Promise<void> {
    const deadline = Date.now() + this.timeoutSeconds * 1000;
    for (;;) {
      const left = await this.names(["get", "applications.argoproj.io", "-n", argocdNamespace, "-l", selectorOf(namespace)]);
      if (left.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`Argo CD has not removed ${left.join(", ")} from ${argocdNamespace} after ${this.timeoutSeconds}s; is its ApplicationSet controller running?`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }

  async remove(namespace: string): Promise<string[]> {
    const deleted = await this.names(["delete", WORKLOAD_KINDS, "--all", "-n", namespace, "--wait=true", `--timeout=${this.timeoutSeconds}s`]);
    await this.kubectl(["wait", "--for=delete", "pods", "--all", "-n", namespace, `--timeout=${this.timeoutSeconds}s`]);
    return deleted;
  }

  private async names(args: string[]): Promise<string[]> {
    return (await this.kubectl([...args, "-o", "name"])).split("\n").filter((line) => line !== "");
  }

  private kubectl(args: string[]): Promise<string> {
    const full = [...(this.context ? ["--context", this.context] : []), ...args];
    return capture("kubectl", full, { missing: "decommission needs kubectl on PATH" });
  }
}
