import * as assert from "node:assert/strict";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import * as fc from "fast-check";
import { buildCertificates } from "../src/components/certificates";
import { buildDnsRecords } from "../src/components/dns";
import { stackFileName } from "../src/config/files";
import { ConfigError } from "../src/config/problems";
import { planStack } from "../src/plan/engine";
import { SECRET_PLACEHOLDER } from "../src/config/secrets";
import { customerFixture, findResource, fixtureRoot, planRepoStack, resolveStack, resourcesOfType, stackFile } from "./helpers";

const CERTIFICATE = "kubernetes:cert-manager.io/v1:Certificate";
const ISSUER = "kubernetes:cert-manager.io/v1:Issuer";

describe("certificates", () => {
  it("covers every host of ff-a-prod with one cert-manager Certificate from the Cloudflare DNS-01 ClusterIssuer", async () => {
    const plan = await planRepoStack("ff-a-prod");
    const [certificate] = resourcesOfType(plan, CERTIFICATE);
    assert.equal(resourcesOfType(plan, CERTIFICATE).length, 1);
    assert.doesNotThrow(() => new Certificate(certificate.inputs as unknown as Certificate).validate());
    assert.equal(certificate.parent, "certificates");
    const metadata = certificate.inputs.metadata as { name: string; namespace: string; labels: Record<string, string> };
    assert.equal(metadata.name, "fitfile-ff-a", "the seed's certificate name, so that adopt mode finds it");
    assert.equal(metadata.namespace, "ff-a");
    assert.equal(metadata.labels["ffnodes.fitfile.net/customer"], "ff-a");
    const spec = certificate.inputs.spec as Certificate["spec"];
    assert.deepEqual(spec.dnsNames, plan.outputs.hosts);
    assert.equal(spec.secretName, "cloudflare-tls");
    assert.deepEqual(spec.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-cloudflare" });
    assert.equal(plan.outputs.tlsSecretName, "cloudflare-tls");
    assert.deepEqual(resourcesOfType(plan, ISSUER), [], "a ClusterIssuer is a cluster prerequisite, never created by a stack");
  });

  it("issues from a self-signed Issuer in the namespace for the local stack", async () => {
    const plan = await planRepoStack("demo-local");
    const issuer = findResource(plan, ISSUER, "certificate-issuer");
    const certificate = findResource(plan, CERTIFICATE, "certificate");
    assert.doesNotThrow(() => new Issuer(issuer.inputs as unknown as Issuer).validate());
    assert.doesNotThrow(() => new Certificate(certificate.inputs as unknown as Certificate).validate());
    assert.deepEqual((issuer.inputs.spec as Issuer["spec"]).selfSigned, {});
    assert.equal((issuer.inputs.metadata as { namespace: string }).namespace, "demo-local");
    const spec = certificate.inputs.spec as Certificate["spec"];
    assert.deepEqual(spec.issuerRef, { group: "cert-manager.io", kind: "Issuer", name: "self-signed" });
    assert.deepEqual(spec.dnsNames, ["demo.localtest.me"]);
  });

  it("takes the Secret and ClusterIssuer names from config, and adopts the live Certificate in adopt mode", async () => {
    const root = fixtureRoot({
      ...customerFixture("k", "domain: k.fitfile.net\ncertificates: { secretName: k-tls, clusterIssuer: letsencrypt-staging }"),
      [stackFileName("k-prod")]: stackFile("  ffnodes:adopt: true\n  ffnodes:adoptIds: { dns-k.fitfile.net: create }\n"),
    });
    const plan = await planStack(root, "k-prod");
    const certificate = findResource(plan, CERTIFICATE, "certificate");
    const spec = certificate.inputs.spec as Certificate["spec"];
    assert.equal(spec.secretName, "k-tls");
    assert.equal(spec.issuerRef.name, "letsencrypt-staging");
    assert.equal(certificate.import, "k/fitfile-k");
    assert.equal(plan.outputs.tlsSecretName, "k-tls");
  });

  it("in origin-ca mode stores a Cloudflare Origin CA certificate for every host in a TLS Secret, the key secret", async () => {
    const root = fixtureRoot(
      customerFixture("o", "domain: o.fitfile.net\nextraHosts: ['*.o.fitfile.net']\ndns: { advancedCertificateManager: true }\ncertificates: { mode: origin-ca, originCa: { requestType: origin-ecc, validityDays: 365 } }"),
    );
    const plan = await planStack(root, "o-prod");
    assert.deepEqual(resourcesOfType(plan, CERTIFICATE), []);
    const key = findResource(plan, "tls:index/privateKey:PrivateKey", "certificate-key");
    assert.deepEqual(key.inputs, { algorithm: "ECDSA", ecdsaCurve: "P256" });
    const request = findResource(plan, "tls:index/certRequest:CertRequest", "certificate-request");
    assert.equal(request.inputs.privateKeyPem, SECRET_PLACEHOLDER);
    assert.deepEqual(request.inputs.dnsNames, ["o.fitfile.net", "*.o.fitfile.net"]);
    const origin = findResource(plan, "cloudflare:index/originCaCertificate:OriginCaCertificate", "certificate-origin-ca");
    assert.deepEqual(origin.inputs.hostnames, ["o.fitfile.net", "*.o.fitfile.net"]);
    assert.equal(origin.inputs.requestType, "origin-ecc");
    assert.equal(origin.inputs.requestedValidity, 365);
    assert.equal(origin.inputs.csr, "offline-certificate-request", "the request signed with the key is what Cloudflare signs");
    const secret = findResource(plan, "kubernetes:core/v1:Secret", "certificate-secret");
    assert.equal(secret.inputs.type, "kubernetes.io/tls");
    assert.equal((secret.inputs.metadata as { name: string }).name, "cloudflare-tls");
    assert.equal((secret.inputs.metadata as { namespace: string }).namespace, "o");
    assert.equal(secret.inputs.stringData, SECRET_PLACEHOLDER, "the certificate and its key print as one secret");
    assert.equal(plan.outputs.tlsSecretName, "cloudflare-tls");
    assert.ok(!JSON.stringify(plan).includes("offline-certificate-key"), "the private key never prints");
  });

  it("rejects bad certificate settings, naming file and key path", () => {
    const cases: [string, string, RegExp][] = [
      ["certificates: { mode: letsencrypt }", "environments.prod.certificates.mode", /cluster-issuer|self-signed|origin-ca/],
      ["certificates: { secretName: Cloudflare_TLS }", "environments.prod.certificates.secretName", /DNS-1123 label/],
      ["certificates: { clusterIssuer: '' }", "environments.prod.certificates.clusterIssuer", /DNS-1123 label/],
      ["certificates: { originCa: { validityDays: 100 } }", "environments.prod.certificates.originCa.validityDays", /one of 7, 30, 90, 365, 730, 1095, 5475/],
      ["certificates: { issuer: x }", "environments.prod.certificates.issuer", /unknown key/],
    ];
    for (const [yaml, path, message] of cases) {
      const root = fixtureRoot(customerFixture("b", `domain: b.fitfile.net\n${yaml}`));
      assert.throws(
        () => resolveStack(root, "b-prod"),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.equal(e.problems.length, 1, JSON.stringify(e.problems));
          assert.equal(e.problems[0].file, "customers/b.yaml");
          assert.equal(e.problems[0].path, path);
          assert.match(e.problems[0].message, message);
          return true;
        },
      );
    }
  });

  it("property: for any valid set of hosts, each host has exactly one record and every certificate covers them all", () => {
    const root = fixtureRoot(customerFixture("p", "domain: p.fitfile.net"));
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/);
    const name = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => `${labels.join(".")}.fitfile.net`);
    const hostSet = fc.record({
      domain: name,
      extraHosts: fc.array(name, { maxLength: 12 }),
      wildcard: fc.boolean(),
      mode: fc.constantFrom("cluster-issuer", "self-signed", "origin-ca"),
    });
    fc.assert(
      fc.property(hostSet, ({ domain, extraHosts, wildcard, mode }) => {
        const extra = wildcard ? [...extraHosts, `*.${domain}`] : extraHosts;
        // Hosts up to four labels deep: the zone's Advanced Certificate Manager covers them at the edge.
        const config = resolveStack(root, "p-prod", { domain, extraHosts: extra, certificates: { mode }, dns: { advancedCertificateManager: true } });
        const hosts = new Set([domain, ...extra]);
        const records = buildDnsRecords(config);
        assert.equal(records.length, hosts.size);
        assert.deepEqual(new Set(records.map((r) => r.args.name)), hosts);
        assert.equal(new Set(records.map((r) => r.name)).size, records.length, "logical names are unique");
        const specs = buildCertificates(config);
        const covered = specs.certificate?.spec.dnsNames ?? specs.originCa?.certificate.hostnames;
        assert.ok(Array.isArray(covered));
        assert.deepEqual(new Set(covered), hosts);
        assert.equal(covered.length, hosts.size, "each host once");
        if (specs.certificate) new Certificate(specs.certificate).validate();
      }),
      { numRuns: 150 },
    );
  });
});
