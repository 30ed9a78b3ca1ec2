import { z } from "zod";
import { cidr, dnsLabel } from "./common";
import { host } from "./dns";

const freeForm = z.record(z.string(), z.unknown());

const repositoryUrl = z
  .string()
  .regex(/^(https:\/\/|ssh:\/\/|git@)\S+$/, "a Git repository URL such as https://gitlab.com/fitfile/deployment.git");

export const serviceSettings = z.strictObject({
  enabled: z.boolean(),
  /** Pins this service's chart to another revision than `gitops.targetRevision`. */
  targetRevision: z.string().min(1, "a branch, tag or commit such as latest-release").optional(),
  /** The chart's `appConfig` value, deep-merged over the generated one (the old app-config.yaml). */
  appConfig: freeForm.optional(),
  /** Chart values deep-merged over the generated ones (the old infra-config.yaml). */
  infraConfig: freeForm.optional(),
});

const ADDONS = ["pgweb"] as const;

/** What ArgoCD deploys into the namespace, and the values it deploys with. */
export const gitopsSettings = {
  gitops: z.strictObject({
    /** Namespace of the cluster's ArgoCD: where the AppProject and ApplicationSet live. */
    argocdNamespace: dnsLabel,
    /** API server URL of the destination cluster, as ArgoCD knows it. */
    cluster: z.string().regex(/^https:\/\/[^\s/]+\/?$/, "an https URL such as https://kubernetes.default.svc"),
    /** Repository of the charts (`charts/<service>`). Must be one of `sourceRepos`. */
    repoURL: repositoryUrl,
    targetRevision: z.string().min(1, "a branch, tag or commit such as latest-release"),
    /** Repositories the customer's AppProject allows. */
    sourceRepos: z.array(repositoryUrl).min(1, "at least the chart repository"),
    /** Cluster-scoped kinds the applications may create; none by default. */
    clusterResourceWhitelist: z.array(z.strictObject({ group: z.string().meta({ description: "an API group, \"\" for the core group" }), kind: z.string().min(1, "a kind such as Namespace") })),
  }),
  services: z
    .record(dnsLabel, serviceSettings, {
      error: (issue) => (issue.code === "invalid_key" ? "a service name is a DNS-1123 label: lower-case letters, digits and '-'" : undefined),
    })
    .meta({ description: "a mapping of services to their settings, such as ffcloud: { enabled: true }" }),
  addons: z.array(z.enum(ADDONS)),
  app: z.strictObject({
    nodeEnv: z.string().min(1, "the services' NODE_ENV, such as production"),
    fitfileEnv: z.string().min(1, "the services' FITFILE_ENV, such as production"),
    /** Databases named in `global.db` as `<name><dbSuffix>`. */
    databases: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, "lower-case letters, digits and '_'")),
  }),
  sleuth: z.strictObject({
    enabled: z.boolean(),
    environment: z.string().min(1, "the environment sleuth reports, such as production"),
  }),
  pgweb: z.strictObject({
    /**
     * Publishes pgweb on its own host through the ingress controller. Off (the default): no
     * Ingress, reachable only with `kubectl port-forward`. Only a customer file may turn it on.
     */
    publish: z.boolean(),
    /** pgweb's own host when published: one of the environment's extraHosts. Default: the one extra host whose first label names pgweb. */
    host: host.optional(),
    /** When published: the client ranges the ingress controller admits (ingress-nginx `whitelist-source-range`); empty admits any. */
    allowedSourceRanges: z.array(cidr),
    /** When published: the ingress controller's external authentication in front of pgweb (ingress-nginx `auth-url`). */
    externalAuthUrl: z.string().regex(/^https:\/\/\S+$/, "an https URL of the authentication service").optional(),
    image: z.string().min(1, "an image such as sosedoff/pgweb:0.16.2"),
    /** Database pgweb opens. */
    database: z.string().min(1, "a database name such as fitconnect"),
    /** PostgreSQL service pgweb connects to. Default: `<namespace>-databases-postgresql`. */
    databaseHost: host.or(dnsLabel).optional(),
    ingressClassName: z.string().min(1, "an IngressClass such as nginx"),
  }),
};

/** pgweb's host: `pgweb.host`, or else the one extra host whose first label names pgweb (prod-pgweb.fitfile.net). */
export function pgwebHost(settings: Pick<GitOpsChecked, "domain" | "extraHosts" | "pgweb">): string | undefined {
  if (settings.pgweb.host !== undefined) return settings.pgweb.host;
  const named = settings.extraHosts.filter((h) => h !== settings.domain && h.split(".")[0].includes("pgweb"));
  return named.length === 1 ? named[0] : undefined;
}

interface GitOpsChecked {
  domain: string;
  extraHosts: string[];
  addons: (typeof ADDONS)[number][];
  pgweb: { host?: string; publish: boolean };
  gitops: { repoURL: string; sourceRepos: string[] };
}

/** Checks across keys, added to the environment schema so that problems name the file that set them. */
export function checkGitOpsSettings(settings: GitOpsChecked, ctx: z.RefinementCtx<GitOpsChecked>): void {
  if (!settings.gitops.sourceRepos.includes(settings.gitops.repoURL)) {
    ctx.addIssue({
      code: "custom",
      path: ["gitops", "repoURL"],
      message: `must be one of gitops.sourceRepos (${settings.gitops.sourceRepos.join(", ")}), or the AppProject refuses the applications`,
    });
  }
  if (!settings.addons.includes("pgweb") || !settings.pgweb.publish) return;
  const allowed = settings.extraHosts.filter((h) => h !== settings.domain);
  const pgweb = pgwebHost(settings);
  if (pgweb === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["addons"],
      message: `a published pgweb needs its own host: set pgweb.host to one of the environment's extraHosts (${allowed.join(", ") || "none yet: add one"}), or have exactly one extra host whose first label names pgweb`,
    });
  } else if (!allowed.includes(pgweb)) {
    ctx.addIssue({
      code: "custom",
      path: ["pgweb", "host"],
      message: `'${pgweb}' must be one of the environment's extraHosts other than domain (${allowed.join(", ") || "none yet: add it to extraHosts"}), so that it gets its DNS record and certificate`,
    });
  }
}
