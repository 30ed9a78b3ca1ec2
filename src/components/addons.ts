import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentConfig } from "../config/environment";
import { pgwebHost } from "../config/schema/gitops";
import { PGWEB } from "../config/tenancy";
import { standardLabels } from "./labels";

type Metadata = k8s.types.input.meta.v1.ObjectMeta;

const PGWEB_PORT = 8081;
/**
 * pgweb becomes ready only once the database that ArgoCD deploys after the first `up` is
 * serving, and its Service and Ingress only with it. Waiting for them (the kubernetes provider's
 * default, about 10 minutes each) would fail every new customer's first `up`, so ffnodes
 * declares them and lets ArgoCD's health checks report on them.
 */
const NOT_AWAITED = { "pulumi.com/skipAwait": "true" };
/** Written by the Vault agent before pgweb starts; holds `export DATABASE_URL=...`. */
const DATABASE_URL_FILE = "/vault/secrets/database-url";
const AUTH_FILES = { user: "pgweb-auth-user", pass: "pgweb-auth-pass" } as const;
/** How often pgweb retries its database while ArgoCD has yet to deploy it (3 s apart, pgweb's default delay). */
const OPEN_RETRIES = 200;

/**
 * pgweb's command (flags checked against pgweb's pkg/command/options.go, sosedoff/pgweb, as in
 * 0.16): read-only, its session locked to the one database of DATABASE_URL (no switching to
 * another database or host, no SSH tunnels), behind HTTP basic auth, and retrying the database
 * instead of exiting while it is not up yet. It refuses to start without credentials.
 */
export function pgwebCommand(): string {
  const file = (name: string) => `/vault/secrets/${name}`;
  return [
    `test -s ${file(AUTH_FILES.user)} && test -s ${file(AUTH_FILES.pass)} || { echo "pgweb: no basic-auth credentials from Vault" >&2; exit 1; }`,
    `. ${DATABASE_URL_FILE}`,
    `exec /usr/bin/pgweb --bind=0.0.0.0 --listen=${PGWEB_PORT} --readonly --lock-session --no-ssh --open-retry=${OPEN_RETRIES}` +
      ` --auth-user="$(cat ${file(AUTH_FILES.user)})" --auth-pass="$(cat ${file(AUTH_FILES.pass)})"`,
  ].join(" && ");
}

/** The Vault agent template writing one key of pgweb's auth secret, as is, into its own file. */
function authTemplate(secretPath: string, key: "username" | "password"): string {
  return `{{- with secret "${secretPath}" -}}{{ .Data.data.${key} }}{{- end }}`;
}

interface PgwebSpecs {
  serviceAccount: { metadata: Metadata };
  deployment: { metadata: Metadata; spec: k8s.types.input.apps.v1.DeploymentSpec };
  service: { metadata: Metadata; spec: k8s.types.input.core.v1.ServiceSpec };
  /** Only when the customer file publishes pgweb. */
  ingress?: { metadata: Metadata; spec: k8s.types.input.networking.v1.IngressSpec };
}

/**
 * The Vault agent template for pgweb's connection URL, from the PostgreSQL credentials the Vault
 * component generated into the secret at `secretPath`.
 */
function databaseUrlTemplate(secretPath: string, host: string, database: string): string {
  const data = (key: string) => `.Data.data.postgresql_${key} | urlquery`;
  return [
    `{{- with secret "${secretPath}" -}}`,
    `export DATABASE_URL='postgres://{{ ${data("username")} }}:{{ ${data("password")} }}@${host}:5432/${database}?sslmode=disable'`,
    "{{- end }}",
  ].join("\n");
}

/**
 * pgweb, the seed's database browser: one replica behind a ClusterIP service, its DATABASE_URL
 * and basic-auth credentials rendered by the Vault agent, running under the `restricted` Pod
 * Security profile; a TLS ingress on its own host only when the customer file publishes it.
 * Undefined unless the environment's addons include pgweb.
 */
export function buildPgweb(config: EnvironmentConfig): PgwebSpecs | undefined {
  const { settings } = config;
  const { namespace, vault, certificate, pgweb: names } = config.tenancy;
  if (!names) return undefined;
  const { image, database, ingressClassName, publish, allowedSourceRanges, externalAuthUrl } = settings.pgweb;
  const host = pgwebHost(settings);
  if (publish && host === undefined) throw new Error("a published pgweb has a host (checked by the schema)");
  const authSecretPath = names.authSecret.apiPath;
  const credentialsPath = vault.credentials.apiPath;

  const selector = { "app.kubernetes.io/name": PGWEB, "app.kubernetes.io/instance": namespace };
  const labels = { ...standardLabels(config, "addons"), ...selector };
  const metadata: Metadata = { name: PGWEB, namespace, labels };
  const workloadMetadata: Metadata = { ...metadata, annotations: NOT_AWAITED };
  // Every HTTP path answers 401 behind basic auth: the probes only check that pgweb listens.
  const probe = (initialDelaySeconds: number) => ({ tcpSocket: { port: "http" }, initialDelaySeconds, periodSeconds: 15 });

  return {
    serviceAccount: { metadata },
    deployment: {
      metadata: workloadMetadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels,
            annotations: {
              "vault.hashicorp.com/agent-inject": "true",
              "vault.hashicorp.com/agent-pre-populate-only": "true",
              "vault.hashicorp.com/auth-path": `auth/${settings.vault.auth.mount}`,
              "vault.hashicorp.com/role": vault.role,
              "vault.hashicorp.com/agent-inject-secret-database-url": credentialsPath,
              "vault.hashicorp.com/agent-inject-template-database-url": databaseUrlTemplate(credentialsPath, names.databaseHost, database),
              [`vault.hashicorp.com/agent-inject-secret-${AUTH_FILES.user}`]: authSecretPath,
              [`vault.hashicorp.com/agent-inject-template-${AUTH_FILES.user}`]: authTemplate(authSecretPath, "username"),
              [`vault.hashicorp.com/agent-inject-secret-${AUTH_FILES.pass}`]: authSecretPath,
              [`vault.hashicorp.com/agent-inject-template-${AUTH_FILES.pass}`]: authTemplate(authSecretPath, "password"),
            },
          },
          spec: {
            serviceAccountName: names.serviceAccount,
            securityContext: {
              runAsNonRoot: true,
              // The image declares no user; "nobody" lets the kubelet verify runAsNonRoot.
              runAsUser: 65534,
              runAsGroup: 65534,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: PGWEB,
                image,
                command: ["/bin/sh", "-c", pgwebCommand()],
                ports: [{ name: "http", containerPort: PGWEB_PORT }],
                readinessProbe: probe(15),
                livenessProbe: probe(30),
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              },
            ],
          },
        },
      },
    },
    service: {
      metadata: workloadMetadata,
      spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    ingress:
      publish && host !== undefined
        ? {
            metadata: { ...metadata, annotations: { ...NOT_AWAITED, ...ingressAccess(allowedSourceRanges, externalAuthUrl) } },
            spec: {
              ingressClassName,
              tls: [{ hosts: [host], secretName: certificate.secretName }],
              rules: [
                {
                  host,
                  http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: PGWEB, port: { name: "http" } } } }] },
                },
              ],
            },
          }
        : undefined,
  };
}

/**
 * Who the ingress controller lets reach a published pgweb, before pgweb's own basic auth: an IP
 * allow-list and an external authentication service, as ingress-nginx's annotations
 * (kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations) name them.
 */
function ingressAccess(allowedSourceRanges: string[], externalAuthUrl: string | undefined): Record<string, string> {
  return {
    ...(allowedSourceRanges.length > 0 ? { "nginx.ingress.kubernetes.io/whitelist-source-range": allowedSourceRanges.join(",") } : {}),
    ...(externalAuthUrl ? { "nginx.ingress.kubernetes.io/auth-url": externalAuthUrl } : {}),
  };
}

/** Optional workloads ffnodes runs itself, next to the ArgoCD applications (pgweb). */
export class Addons extends pulumi.ComponentResource {
  /** `dependsOn`: everything the addons need before they start (namespace, claims, Vault role and secrets, certificates). */
  constructor(name: string, config: EnvironmentConfig, dependsOn: pulumi.Resource[], opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:Addons", name, {}, opts);
    const pgweb = buildPgweb(config);
    if (pgweb) {
      const after = { parent: this, dependsOn };
      const account = new k8s.core.v1.ServiceAccount("pgweb-serviceaccount", pgweb.serviceAccount, after);
      new k8s.apps.v1.Deployment("pgweb-deployment", pgweb.deployment, { ...after, dependsOn: [...dependsOn, account] });
      new k8s.core.v1.Service("pgweb-service", pgweb.service, after);
      if (pgweb.ingress) new k8s.networking.v1.Ingress("pgweb-ingress", pgweb.ingress, after);
    }
    this.registerOutputs({});
  }
}
