import { stringify } from "yaml";
import { EnvironmentConfig } from "../config/environment";
import { deepMerge, isPlainObject } from "../config/merge";

type HelmValues = Record<string, unknown>;

interface FitConnectHost {
  fitConnectCode: string;
  fitConnectUri: string;
}

/** The FITConnect instances ffcloud talks to: the customer's own first, then each peer in `connects` order. */
export function fitConnectHosts(config: EnvironmentConfig): FitConnectHost[] {
  const self = { fitConnectCode: config.customer.fitConnectCode, domain: config.settings.domain };
  return [self, ...config.peers].map((p) => ({ fitConnectCode: p.fitConnectCode, fitConnectUri: `https://${p.domain}/fitconnect` }));
}

/** Where a claim's persistence settings live in the charts' values, where it is not `<key>.persistence`. */
const PERSISTENCE_PATHS: Record<string, string[]> = { postgresql: ["postgresql", "primary", "persistence"] };

/** Values generated for one service's `appConfig` before the customer's own are merged over them. */
const GENERATED_APP_CONFIG: Record<string, (config: EnvironmentConfig) => HelmValues> = {
  ffcloud: (config) => ({ fitConnectHosts: fitConnectHosts(config) }),
};

/**
 * Where the database subcharts switch their own NetworkPolicies, each on by default: Bitnami's
 * postgresql (`primary.` and `readReplicas.networkPolicy.enabled`), mongodb and minio
 * (`networkPolicy.enabled`; minio also `console.` and `provisioning.networkPolicy.enabled`), as
 * their templates read them in bitnami/charts. The namespace's own policies already confine
 * those pods, and the AppProject refuses NetworkPolicies from the applications, so every one is
 * turned off rather than allowed.
 */
const SUBCHART_NETWORK_POLICIES = [
  ["postgresql", "primary"],
  ["postgresql", "readReplicas"],
  ["mongodb"],
  ["minio"],
  ["minio", "console"],
  ["minio", "provisioning"],
];

function nest(path: string[], leaf: HelmValues): HelmValues {
  return path.reduceRight((inner, key) => ({ [key]: inner }), leaf);
}

function merge(lower: HelmValues, higher: HelmValues | undefined): HelmValues {
  const merged = deepMerge(lower, higher);
  if (!isPlainObject(merged)) throw new Error("merging two mappings always gives a mapping");
  return merged;
}

/**
 * What every chart gets (the old shared values file): the environment's identity, Vault access,
 * storage claims and TLS secret. No secret is ever a value: the charts read them from Vault.
 */
export function sharedValues(config: EnvironmentConfig): HelmValues {
  const { settings, tenancy } = config;
  const sleuth = () => ({ enabled: settings.sleuth.enabled, environment: settings.sleuth.environment });
  const storage = Object.entries(tenancy.claims).reduce<HelmValues>(
    (values, [key, claim]) => merge(values, nest(PERSISTENCE_PATHS[key] ?? [key, "persistence"], { size: settings.storage[key].size, existingClaim: claim })),
    {},
  );
  const networkPoliciesOff = SUBCHART_NETWORK_POLICIES.reduce<HelmValues>(
    (values, chartPath) => merge(values, nest([...chartPath, "networkPolicy"], { enabled: false })),
    {},
  );
  return {
    ...merge(storage, networkPoliciesOff),
    namespace: tenancy.namespace,
    host: settings.domain,
    applicationVaultPath: tenancy.vault.path,
    ...(settings.deploymentKey === undefined ? {} : { deploymentKey: settings.deploymentKey }),
    global: {
      app: { nodeEnv: settings.app.nodeEnv, fitfileEnv: settings.app.fitfileEnv },
      fitConnectCode: config.customer.fitConnectCode,
      dbSuffix: tenancy.dbSuffix,
      db: Object.fromEntries(Object.entries(tenancy.databases).map(([db, name]) => [db, { name }])),
      sleuth: sleuth(),
      tls: { secretName: tenancy.certificate.secretName },
    },
    sleuth: sleuth(),
    workflowTemplates: { sleuth: sleuth() },
    // `path` is what the charts' agent templates read (`with secret`), so the secret's API path.
    vault: { role: tenancy.vault.role, path: tenancy.vault.credentials.apiPath },
    // ffnodes creates the certificates itself; a chart's own list stays empty so that no second
    // Certificate competes for the same secret.
    certs: { certificates: [] },
  };
}

/**
 * Helm values of every enabled service, by service name: the shared values, the service's
 * `infraConfig` merged over them, and its `appConfig` merged over the generated one.
 */
export function buildHelmValues(config: EnvironmentConfig): Record<string, HelmValues> {
  const shared = sharedValues(config);
  return Object.fromEntries(
    enabledServices(config).map(([service, settings]) => {
      const appConfig = merge(GENERATED_APP_CONFIG[service]?.(config) ?? {}, settings.appConfig);
      const values = merge(shared, settings.infraConfig);
      return [service, Object.keys(appConfig).length > 0 ? merge(values, { appConfig }) : values];
    }),
  );
}

/** The services enabled for this environment, sorted by name. */
export function enabledServices(config: EnvironmentConfig): [string, EnvironmentConfig["settings"]["services"][string]][] {
  return Object.entries(config.settings.services)
    .filter(([, s]) => s.enabled)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** Values as the YAML text Helm reads: keys sorted, no anchors, no folded lines. */
export function renderValues(values: HelmValues): string {
  return stringify(values, { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 });
}
