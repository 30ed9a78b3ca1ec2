import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADOPT_KEY } from "../config/adopt";
import { isAllowedClusterResource } from "../config/boundaries";
import { EnvironmentConfig } from "../config/environment";
import { buildHelmValues, enabledServices, renderValues } from "./helm-values";
import { standardLabels } from "./labels";
import { ADOPTABLE, adoptedId } from "./safety";

/**
 * The seed's sync policy, with `CreateNamespace=true` only where the project allows Namespaces.
 * Argo CD checks the namespace it would create against the project like any object of the chart
 * (controller/sync.go, WithPermissionValidator): without the allowance, a sync that finds the
 * namespace missing fails with `resource :Namespace is not permitted in project`, while one that
 * finds it present never creates it. ffnodes creates the namespace, with its isolation, before
 * the ApplicationSet; a sync that gets there first fails and is retried until it exists.
 */
export function syncPolicy(clusterResourceWhitelist: readonly { group: string; kind: string }[]) {
  const createNamespace = clusterResourceWhitelist.some(isAllowedClusterResource) ? ["CreateNamespace=true"] : [];
  return {
    automated: { prune: true, selfHeal: true },
    syncOptions: ["Validate=false", ...createNamespace, "PrunePropagationPolicy=foreground", "PruneLast=true"],
    retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
  };
}

/**
 * Kinds the applications may not touch in the namespace: the isolation this program sets
 * (quota, limits, network policies) is not theirs to weaken.
 */
export const NAMESPACE_RESOURCE_BLACKLIST = [
  { group: "", kind: "LimitRange" },
  { group: "", kind: "ResourceQuota" },
  { group: "networking.k8s.io", kind: "NetworkPolicy" },
];

/**
 * One list element per enabled service; every field is read by the template. No field is named
 * `values`: the ApplicationSet controller reserves that key (argoproj/argo-cd
 * applicationset/generators/list.go flattens an element's `values` map into `values.<key>`
 * parameters without goTemplate, and value_interpolation.go sets `values` from a generator's own
 * `values` with it), so an element's own `values` is lost or refused.
 */
export interface ServiceElement {
  serviceName: string;
  /** The Application's name, `<namespace>-<service>` within 63 characters. */
  name: string;
  targetRevision: string;
  /** The service's Helm values as YAML. */
  helmValues: string;
}

interface GitOpsSpecs {
  project: IAppProject;
  applicationSet: IApplicationSet;
  /** Application names, sorted. */
  applications: string[];
}

/** The AppProject that confines the customer's applications, and the ApplicationSet that creates them. */
export function buildGitOps(config: EnvironmentConfig): GitOpsSpecs {
  const { settings, tenancy } = config;
  const { namespace } = tenancy;
  const { gitops } = settings;
  const labels = standardLabels(config, "gitops");
  const metadata = { name: tenancy.gitops.name, namespace: gitops.argocdNamespace, labels, annotations: ADOPTABLE };
  const destination = { server: gitops.cluster, namespace };
  const values = buildHelmValues(config);

  const elements: ServiceElement[] = enabledServices(config).map(([service, serviceSettings]) => ({
    serviceName: service,
    name: tenancy.applications[service],
    targetRevision: serviceSettings.targetRevision ?? gitops.targetRevision,
    helmValues: renderValues(values[service]),
  }));

  return {
    project: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "AppProject",
      metadata,
      spec: {
        description: `${config.customer.displayName} (${config.environment}), managed by ffnodes`,
        sourceRepos: [...new Set(gitops.sourceRepos)].sort(),
        destinations: [destination],
        clusterResourceWhitelist: gitops.clusterResourceWhitelist,
        namespaceResourceBlacklist: NAMESPACE_RESOURCE_BLACKLIST,
      },
    },
    applicationSet: {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "ApplicationSet",
      metadata,
      spec: {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [{ list: { elements } }],
        // Deleting the set (or this stack) never deletes the customer's workloads.
        syncPolicy: { preserveResourcesOnDeletion: true },
        template: {
          metadata: {
            name: "{{ .name }}",
            namespace: gitops.argocdNamespace,
            labels: { ...labels, "ffnodes.fitfile.net/service": "{{ .serviceName }}" },
          },
          spec: {
            project: tenancy.gitops.name,
            source: {
              repoURL: gitops.repoURL,
              targetRevision: "{{ .targetRevision }}",
              path: "charts/{{ .serviceName }}",
              helm: { values: "{{ .helmValues }}" },
            },
            destination,
            syncPolicy: syncPolicy(gitops.clusterResourceWhitelist),
          },
        },
      },
    },
    applications: elements.map((e) => e.name),
  };
}

/** The customer's ArgoCD AppProject and ApplicationSet. */
export class GitOps extends pulumi.ComponentResource {
  /** Names of the Applications the set creates. */
  readonly applications: string[];

  /**
   * `dependsOn`: everything the applications need before ArgoCD may start them (namespace,
   * claims, Vault role and secrets, certificates): the ApplicationSet waits for all of it.
   */
  constructor(name: string, config: EnvironmentConfig, dependsOn: pulumi.Resource[], opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:GitOps", name, {}, opts);
    const specs = buildGitOps(config);
    // The seed's customers have an ApplicationSet named after the namespace, but no AppProject
    // of their own: adopt mode imports the set, and the project only when an id is given.
    const project = new k8s.apiextensions.CustomResource(ADOPT_KEY.gitopsProject, specs.project, {
      parent: this,
      import: adoptedId(config.adopt, ADOPT_KEY.gitopsProject),
    });
    new k8s.apiextensions.CustomResource(ADOPT_KEY.gitopsApplicationSet, specs.applicationSet, {
      parent: this,
      dependsOn: [project, ...dependsOn],
      import: adoptedId(config.adopt, ADOPT_KEY.gitopsApplicationSet, config.tenancy.gitops.id),
    });
    this.applications = specs.applications;
    this.registerOutputs({ applications: this.applications });
  }
}
