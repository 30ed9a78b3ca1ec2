import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ADOPT_KEY } from "../config/adopt";
import { EnvironmentConfig } from "../config/environment";
import { namespacedId } from "../config/names";
import { standardLabels } from "./labels";
import { ADOPTABLE, adoptedId } from "./safety";

/** The longest common name a CSR may carry. */
const MAX_COMMON_NAME_LENGTH = 64;
const SELF_SIGNED_ISSUER = "self-signed";

interface CertificateSpecs {
  /** The kubernetes.io/tls Secret every ingress of the environment reads. */
  secretName: string;
  /** A self-signed Issuer in the namespace (self-signed mode). */
  issuer?: IIssuer;
  /** The cert-manager Certificate (cluster-issuer and self-signed modes). */
  certificate?: ICertificate;
  /** Adopt mode: the live Certificate, `<namespace>/<name>`. */
  certificateImportId?: string;
  /** A Cloudflare Origin CA certificate stored in the Secret (origin-ca mode). */
  originCa?: {
    key: tls.PrivateKeyArgs;
    request: Omit<tls.CertRequestArgs, "privateKeyPem">;
    certificate: Omit<cloudflare.OriginCaCertificateArgs, "csr">;
    secret: { metadata: k8s.types.input.meta.v1.ObjectMeta; type: string };
  };
}

/** What the certificates component creates: one certificate covering every host of the environment. */
export function buildCertificates(config: EnvironmentConfig): CertificateSpecs {
  const { hosts } = config;
  const { namespace, certificate: names } = config.tenancy;
  const { secretName } = names;
  const { mode, clusterIssuer, originCa } = config.settings.certificates;
  const labels = standardLabels(config, "certificates");

  if (mode === "origin-ca") {
    const commonName = hosts[0].length <= MAX_COMMON_NAME_LENGTH ? hosts[0] : undefined;
    return {
      secretName,
      originCa: {
        key: originCa.requestType === "origin-rsa" ? { algorithm: "RSA", rsaBits: 2048 } : { algorithm: "ECDSA", ecdsaCurve: "P256" },
        request: { dnsNames: hosts, subject: { commonName } },
        certificate: { hostnames: hosts, requestType: originCa.requestType, requestedValidity: originCa.validityDays },
        secret: { metadata: { name: secretName, namespace, labels }, type: "kubernetes.io/tls" },
      },
    };
  }

  const { name } = names;
  const selfSigned = mode === "self-signed";
  return {
    secretName,
    issuer: selfSigned
      ? {
          apiVersion: "cert-manager.io/v1",
          kind: "Issuer",
          metadata: { name: SELF_SIGNED_ISSUER, namespace, labels },
          spec: { selfSigned: {} },
        }
      : undefined,
    certificate: {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name, namespace, labels, annotations: ADOPTABLE },
      spec: {
        secretName,
        secretTemplate: { labels },
        dnsNames: hosts,
        issuerRef: selfSigned
          ? { group: "cert-manager.io", kind: "Issuer", name: SELF_SIGNED_ISSUER }
          : { group: "cert-manager.io", kind: "ClusterIssuer", name: clusterIssuer },
      },
    },
    certificateImportId: adoptedId(config.adopt, ADOPT_KEY.certificate, namespacedId(namespace, name)),
  };
}

/** The environment's TLS certificate: from cert-manager, or from Cloudflare's Origin CA. */
export class Certificates extends pulumi.ComponentResource {
  /** The Secret holding the certificate; resolves once whatever fills it is created. */
  readonly secretName: pulumi.Output<string>;

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:Certificates", name, {}, opts);
    const specs = buildCertificates(config);
    const filledBy: pulumi.Resource[] = [];
    if (specs.issuer) {
      filledBy.push(new k8s.apiextensions.CustomResource("certificate-issuer", specs.issuer, { parent: this }));
    }
    if (specs.certificate) {
      filledBy.push(
        new k8s.apiextensions.CustomResource(ADOPT_KEY.certificate, specs.certificate, {
          parent: this,
          dependsOn: [...filledBy],
          import: specs.certificateImportId,
        }),
      );
    }
    if (specs.originCa) {
      const key = new tls.PrivateKey("certificate-key", specs.originCa.key, { parent: this });
      // The key must never reach state or a plan in clear, whatever the provider marks secret.
      const privateKeyPem = pulumi.secret(key.privateKeyPem);
      const request = new tls.CertRequest("certificate-request", { ...specs.originCa.request, privateKeyPem }, { parent: this });
      const certificate = new cloudflare.OriginCaCertificate(
        "certificate-origin-ca",
        { ...specs.originCa.certificate, csr: request.certRequestPem },
        { parent: this },
      );
      filledBy.push(
        new k8s.core.v1.Secret(
          "certificate-secret",
          { ...specs.originCa.secret, stringData: { "tls.crt": certificate.certificate, "tls.key": privateKeyPem } },
          { parent: this },
        ),
      );
    }
    this.secretName = pulumi.all(filledBy.map((r) => r.urn)).apply(() => specs.secretName);
    this.registerOutputs({ secretName: this.secretName });
  }
}
