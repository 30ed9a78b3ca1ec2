/**
 * Tenant boundaries: what no customer or stack setting may do, whatever the layer that sets it.
 * A tenant lives in its own namespace, never in one of the cluster's; its network selectors and
 * ArgoCD namespace name only the cluster's shared services; its team is a real group; its claims
 * and adopted ids are its own; privileged pods and egress to private ranges need a reviewed
 * opt-in. `stackBoundaryProblems` checks one stack, `fleetBoundaryProblems` the stacks together.
 */
import { EnvironmentConfig, LocatedEnvironment } from "./environment";
import { customerFileName, stackFileName } from "./files";
import { ADOPT_CREATE, ADOPT_KEY, adoptableKeys, dnsRecordName } from "./adopt";
import { LayerSource } from "./merge";
import type { SettingPath } from "./schema";
import { claimName, namespacedId } from "./names";
import { Problem, joinPath } from "./problems";
import { VAULT_POLICY_KEYS } from "./tenancy";
import { isSecretKey, withoutSecrets } from "./secrets";

/** The cluster's own namespaces: `default` and Kubernetes's `kube-*` (kube-system, kube-public, kube-node-lease). */
function isClusterNamespace(namespace: string): boolean {
  return namespace === "default" || namespace.startsWith("kube-");
}

/** Namespaces no tenant may have: the cluster's own, and its shared services' (`sharedNamespaces`). */
export function isReservedNamespace(namespace: string, sharedNamespaces: readonly string[]): boolean {
  return isClusterNamespace(namespace) || sharedNamespaces.includes(namespace);
}

/**
 * Kubernetes reserves the `system:` prefix for the identities it makes itself: every
 * authenticated user (system:authenticated), every service account (system:serviceaccounts),
 * cluster admins (system:masters), nodes. A binding to one of them binds far more than a team.
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects
 */
export function isSystemGroup(group: string): boolean {
  return group.startsWith("system:");
}

/** The only cluster-scoped kind a customer's AppProject may allow: Namespace, so that Argo CD may create its destination (`CreateNamespace=true`, src/components/gitops.ts). */
export function isAllowedClusterResource(resource: { group: string; kind: string }): boolean {
  return resource.group === "" && resource.kind === "Namespace";
}

interface Range {
  cidr: string;
  first: number;
  last: number;
}

function range(cidr: string): Range {
  const [address, bits] = cidr.split("/");
  const value = address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  const first = value - (value % size);
  return { cidr, first, last: first + size - 1 };
}

/** Ranges external egress never reaches unless opted in: private networks (other tenants' pods, nodes) and link-local (cloud metadata). */
export const PROTECTED_RANGES: readonly { cidr: string; what: string }[] = [
  { cidr: "10.0.0.0/8", what: "private network" },
  { cidr: "172.16.0.0/12", what: "private network" },
  { cidr: "192.168.0.0/16", what: "private network" },
  { cidr: "169.254.0.0/16", what: "link-local, the cloud metadata service" },
];

/**
 * Protected ranges an ipBlock reaches where no single `except` entry covers what it reaches:
 * those it overlaps at all (the configuration's rule for external egress), or, with `"wider"`,
 * those it covers as part of a wider block (the policy pack's, which leaves blocks of their own,
 * such as a local API server's 172.16.0.0/12 on 6443 or a DNS server's /32, to the configuration).
 */
export function unexceptedRanges(cidr: string, except: readonly string[], match: "overlaps" | "wider"): string[] {
  const block = range(cidr);
  const excepted = except.map(range);
  return PROTECTED_RANGES.filter(({ cidr: protectedCidr }) => {
    const guarded = range(protectedCidr);
    const covers = block.first <= guarded.first && block.last >= guarded.last;
    const reached = match === "wider" ? covers && block.last - block.first > guarded.last - guarded.first : block.first <= guarded.last && guarded.first <= block.last;
    if (!reached) return false;
    const first = Math.max(block.first, guarded.first);
    const last = Math.min(block.last, guarded.last);
    return !excepted.some((e) => e.first <= first && e.last >= last);
  }).map(({ cidr: protectedCidr, what }) => `${protectedCidr} (${what})`);
}

/** Policies Vault itself owns. */
const VAULT_POLICIES = ["root", "default"];

/** How each adopt id must look for this tenant: its own objects only. `undefined`: any id (Cloudflare record ids are opaque). */
function ownAdoptId(config: EnvironmentConfig, key: string): { expected: string; test: (id: string) => boolean } | undefined {
  const { namespace, vault, gitops } = config.tenancy;
  const exactly = (expected: string) => ({ expected, test: (id: string) => id === expected });
  const inNamespace = { expected: namespacedId(namespace, "<name>"), test: (id: string) => id.startsWith(namespacedId(namespace, "")) && !id.slice(namespace.length + 1).includes("/") };
  const claims = Object.keys(config.tenancy.claims).map(ADOPT_KEY.claim);
  const policies = VAULT_POLICY_KEYS.map(ADOPT_KEY.vaultPolicy);
  if (key === ADOPT_KEY.namespace) return exactly(namespace);
  if (key === ADOPT_KEY.certificate || claims.includes(key)) return inNamespace;
  if (key === ADOPT_KEY.gitopsProject || key === ADOPT_KEY.gitopsApplicationSet) return exactly(gitops.id);
  if (key === ADOPT_KEY.vaultMount) return exactly(vault.space.mount);
  // A policy the seed named otherwise may be adopted, but never Vault's own (another customer's: fleetBoundaryProblems).
  if (policies.includes(key)) return { expected: "a policy other than Vault's own root and default", test: (id) => !VAULT_POLICIES.includes(id) };
  if (key === ADOPT_KEY.vaultAuthRole) return exactly(vault.roleId);
  if (key === ADOPT_KEY.vaultCredentials) return exactly(vault.credentials.apiPath);
  return undefined;
}

/** Every boundary one stack's layered configuration must keep, each problem at the layer that set the key. */
export function stackBoundaryProblems(config: EnvironmentConfig, locate: (path: SettingPath) => LayerSource, stackFile: string): Problem[] {
  const { settings, sharedNamespaces } = config;
  const { namespace } = config.tenancy;
  const problems: Problem[] = [];
  const at = (key: SettingPath, message: string) => {
    const source = locate(key);
    problems.push({ file: source.file, path: joinPath(source.prefix, key), message });
  };
  const sharedList = `kube-system or one of sharedNamespaces (${sharedNamespaces.join(", ")}) in customers/_defaults.yaml`;

  if (isReservedNamespace(namespace, sharedNamespaces)) {
    const derived = config.tenancy.derived.namespace;
    // A derived namespace is the customer's name and the environment's suffix.
    const suffix = namespace.slice(config.customer.name.length);
    const what = derived ? `namespace '${namespace}' (the customer's name${suffix ? ` plus '${suffix}'` : ""})` : `'${namespace}'`;
    if (derived) {
      problems.push({ file: customerFileName(config.customer.name), path: "name", message: `${what} is reserved for the cluster (default, kube-*, ${sharedNamespaces.join(", ")}): choose another name, or set namespace` });
    } else at("namespace", `${what} is reserved for the cluster (default, kube-*, ${sharedNamespaces.join(", ")}): a customer needs a namespace of its own`);
  }
  const selectors: [SettingPath, string][] = [
    ["network.ingressControllerNamespace", settings.network.ingressControllerNamespace],
    ["network.dnsNamespace", settings.network.dnsNamespace],
    ...settings.network.egressNamespaces.map((ns, i): [SettingPath, string] => [`network.egressNamespaces.${i}`, ns]),
    ["gitops.argocdNamespace", settings.gitops.argocdNamespace],
  ];
  const connectionRef = settings.vault.secretsOperator.vaultConnectionRef;
  if (connectionRef?.includes("/")) selectors.push(["vault.secretsOperator.vaultConnectionRef", connectionRef.split("/")[0]]);
  for (const [key, target] of selectors) {
    if (!(target === "kube-system" || sharedNamespaces.includes(target))) {
      at(key, `'${target}' is not a shared service's namespace: it may name only ${sharedList}, never a customer's namespace`);
    }
  }

  if (settings.team && isSystemGroup(settings.team.group)) {
    at("team.group", `'${settings.team.group}' is a Kubernetes system group (every user, service account or node it stands for would get the namespace): name the team's own group`);
  }

  const optIns = settings.optIns ?? {};
  // What only a reviewed customer file may ask for: not the shared defaults, not a stack file.
  const reviewed: SettingPath[] = [
    // The schema is strict: these are the only keys optIns has.
    ...(Object.keys(optIns) as (keyof typeof optIns)[]).map((key) => `optIns.${key}` as const),
    ...(settings.pgweb.publish ? (["pgweb.publish"] as const) : []),
    ...(settings.rollout?.canary ? (["rollout.canary"] as const) : []),
  ];
  for (const key of reviewed) {
    const source = locate(key);
    if (source.file !== customerFileName(config.customer.name)) {
      at(key, `only a customer file may set this, where its review is recorded: set it in ${customerFileName(config.customer.name)}, not here`);
    }
  }
  if (settings.podSecurity.enforce === "privileged" && optIns.privilegedPods === undefined) {
    at("podSecurity.enforce", "privileged pods escape the namespace's isolation: use baseline or restricted, or set optIns.privilegedPods to the reason and its review, in the customer file");
  }
  const { cidrs, except } = settings.network.externalEgress;
  if (optIns.unrestrictedEgress === undefined && settings.network.externalEgress.ports.length > 0) {
    for (const cidr of cidrs) {
      const reached = unexceptedRanges(cidr, except, "overlaps");
      if (reached.length > 0) {
        at("network.externalEgress.except", `external egress to ${cidr} reaches ${reached.join(", ")}: add each to except, or set optIns.unrestrictedEgress to the reason and its review, in the customer file`);
      }
    }
  }

  // The DNS servers' and API server's blocks name single endpoints: one wider than a protected range opens it on their ports.
  const endpoints = [
    ...settings.network.dnsCidrs.map((cidr, i): [SettingPath, string] => [`network.dnsCidrs.${i}`, cidr]),
    ...settings.network.apiServer.cidrs.map((cidr, i): [SettingPath, string] => [`network.apiServer.cidrs.${i}`, cidr]),
  ];
  for (const [key, cidr] of optIns.unrestrictedEgress === undefined ? endpoints : []) {
    const reached = unexceptedRanges(cidr, [], "wider");
    if (reached.length > 0) at(key, `${cidr} is wider than ${reached.join(", ")}: name the endpoints (/32s), or set optIns.unrestrictedEgress to the reason and its review, in the customer file`);
  }

  settings.gitops.clusterResourceWhitelist.forEach((resource, i) => {
    if (!isAllowedClusterResource(resource)) {
      at(`gitops.clusterResourceWhitelist.${i}`, `'${resource.group}/${resource.kind}' is cluster-wide, beyond the customer's namespace: a customer's project may allow only { group: "", kind: Namespace }`);
    }
  });

  const claims = Object.entries(settings.storage).map(([key, spec]) => ({ key, name: config.tenancy.claims[key], existing: spec.existingClaim !== undefined }));
  for (const claim of claims.filter((c) => c.existing)) {
    const other = claims.find((c) => c.key !== claim.key && c.name === claim.name);
    if (other) at(`storage.${claim.key}.existingClaim`, `'${claim.name}' is the claim of storage.${other.key}: each storage entry needs a claim of its own`);
  }

  // A key that names no resource of the stack is told once, by unknownAdoptIds.
  const adoptable = adoptableKeys(settings, config.hosts);
  for (const [key, id] of Object.entries(config.adopt.ids).filter(([key]) => adoptable.includes(key))) {
    const own = ownAdoptId(config, key);
    if (id !== ADOPT_CREATE && own && !own.test(id)) {
      problems.push({ file: stackFile, path: joinPath("config.ffnodes:adoptIds", key), message: `'${id}' is not this stack's own object: it must be ${own.expected} (or create)` });
    }
  }
  return problems;
}

/**
 * Boundaries between stacks: no existingClaim that is another stack's claim in the same namespace, no Cloudflare record
 * adopted by two stacks. One problem per clash, on the stack that named the other's object.
 */
export function fleetBoundaryProblems(members: readonly LocatedEnvironment[]): Problem[] {
  const problems: Problem[] = [];
  const configs = members.map((m) => m.config);
  // A claim lives in its stack's namespace: one named like another stack's claim is the same
  // object only in the same namespace (which the fleet's unique namespaces refuse on their own).
  const claimOwners = new Map<string, EnvironmentConfig[]>();
  for (const c of configs) {
    for (const name of Object.values(c.tenancy.claims)) {
      const at = namespacedId(c.tenancy.namespace, name);
      claimOwners.set(at, [...(claimOwners.get(at) ?? []), c]);
    }
  }
  for (const { config: c, origin } of members) {
    for (const [key, spec] of Object.entries(c.settings.storage)) {
      // A claim named as the stack would name it anyway is its own: a clash there comes from
      // the other stack (its existingClaim, or a namespace it took, which is told on its own).
      if (spec.existingClaim === undefined || spec.existingClaim === claimName(c.tenancy.namespace, key)) continue;
      const owner = claimOwners.get(namespacedId(c.tenancy.namespace, spec.existingClaim))?.find((o) => o.stack !== c.stack);
      if (owner) {
        const set = origin(`storage.${key}.existingClaim`);
        problems.push({
          file: set.file,
          path: set.path,
          message: `'${spec.existingClaim}' is a claim of stack ${owner.stack} in the same namespace '${c.tenancy.namespace}': a customer adopts only claims of its own`,
        });
      }
    }
    for (const [key, id] of Object.entries(c.adopt.ids)) {
      const policy = VAULT_POLICY_KEYS.find((k) => key === ADOPT_KEY.vaultPolicy(k));
      const policyOwner = policy && configs.find((o) => o.stack !== c.stack && o.tenancy.vault.policies[policy] === id);
      if (policyOwner) {
        problems.push({ file: stackFileName(c.stack), path: joinPath("config.ffnodes:adoptIds", key), message: `'${id}' is the Vault policy of stack ${policyOwner.stack}: a customer adopts only policies of its own` });
      }
      if (!c.hosts.map(dnsRecordName).includes(key) || id === ADOPT_CREATE) continue;
      const owner = configs.find((o) => o.stack < c.stack && Object.values(o.adopt.ids).includes(id));
      if (owner) {
        problems.push({ file: stackFileName(c.stack), path: joinPath("config.ffnodes:adoptIds", key), message: `record '${id}' is adopted by stack ${owner.stack} too: a record belongs to one stack` });
      }
    }
  }
  return problems;
}

/**
 * Whether a setting's key is the customer's own rather than ffnodes's: the free-form values of a
 * service (`services.<service>.appConfig` and `.infraConfig`), copied into its Helm values. The
 * schema's own keys (`quota.secrets`, `vault.extraSecrets`, ...) are named like secrets without
 * holding one; their values are checked all the same.
 */
function isFreeForm(path: string[]): boolean {
  return path.length > 3 && path[0] === "services" && (path[2] === "appConfig" || path[2] === "infraConfig");
}

/**
 * Settings that look like secrets, by key or by value, whichever layer set them: refused, with
 * the Vault space to put them in. The problem names the key, never the value.
 */
export function secretSettingProblems(merged: Record<string, unknown>, locate: (path: string) => LayerSource, vaultSpace: string): Problem[] {
  const { removed } = withoutSecrets(merged, (p) => !isFreeForm(p));
  return removed.map((p) => {
    const key = p.join(".");
    const source = locate(key);
    const name = [...p].reverse().find((k) => !/^\d+$/.test(k)) ?? "value";
    const by = isSecretKey(p[p.length - 1]) ? "its key names a secret" : "its value looks like a secret";
    return {
      file: source.file,
      path: joinPath(source.prefix, key),
      message: `${by}; settings hold no secrets: put it in Vault under ${vaultSpace} (e.g. key ${name} of a secret there) and sync it into the namespace with vault.extraSecrets`,
    };
  });
}
