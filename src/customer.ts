import * as pulumi from "@pulumi/pulumi";
import { Addons } from "./components/addons";
import { Certificates } from "./components/certificates";
import { DnsRecords } from "./components/dns";
import { GitOps } from "./components/gitops";
import { NamespaceIsolation } from "./components/namespace";
import { Storage } from "./components/storage";
import { VaultOutputs, VaultSpace } from "./components/vault";
import { EnvironmentConfig } from "./config/environment";

export interface CustomerOutputs {
  namespace: pulumi.Output<string>;
  hosts: string[];
  vaultPath: string;
  claims: Record<string, pulumi.Output<string>>;
  vault: VaultOutputs;
  /** The kubernetes.io/tls Secret covering every host: what the ingresses name. */
  tlsSecretName: pulumi.Output<string>;
  /** ArgoCD Application names, `<namespace>-<service>`. */
  applications: string[];
  /** The reviewed exceptions to the tenant boundaries (`optIns`), each with its reason. */
  optIns: Record<string, string>;
}

/** The stack's outputs as `pulumi stack output --json` prints them: the customer's outputs, resolved. */
export type StackOutputs = pulumi.Unwrap<CustomerOutputs>;

/**
 * One customer environment: every resource of the stack is a descendant of this component, one
 * child component per concern, so that `pulumi preview` reads as a tree.
 */
export class Customer extends pulumi.ComponentResource {
  readonly outputs: CustomerOutputs;

  constructor(
    readonly config: EnvironmentConfig,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("ffnodes:index:Customer", config.tenancy.namespace, {}, opts);
    const isolation = new NamespaceIsolation("isolation", config, { parent: this });
    const storage = new Storage("storage", config, { parent: this, dependsOn: [isolation] });
    const vault = new VaultSpace("vault", config, { parent: this, dependsOn: [isolation] });
    new DnsRecords("dns", config, { parent: this });
    const certificates = new Certificates("certificates", config, { parent: this, dependsOn: [isolation] });
    // The workloads start only once everything they need exists: a half-failed run leaves none waiting on it.
    const workloadsWaitFor = [isolation, storage, vault, certificates];
    if (config.settings.addons.length > 0) new Addons("addons", config, workloadsWaitFor, { parent: this });
    const gitops = new GitOps("gitops", config, workloadsWaitFor, { parent: this });

    this.outputs = {
      namespace: isolation.name,
      hosts: config.hosts,
      vaultPath: config.tenancy.vault.path,
      claims: storage.claims,
      vault: vault.outputs,
      tlsSecretName: certificates.secretName,
      applications: gitops.applications,
      optIns: config.settings.optIns ?? {},
    };
    this.registerOutputs(this.outputs);
  }
}
