// DNS on, for real: the Cloudflare and TLS providers (bridged from their Terraform providers) run
// against the local Cloudflare API double (e2e/tools/cloudflare-api, which decodes every request
// with cloudflare-go v7's types), and each scenario asserts on what the double holds, read through
// Cloudflare's API paths with the read-only token, on its request log, and on the API server.
// Two stacks: dns-prod, a production-shaped customer with Origin CA certificates, new, then
// changed, then previewed with every replace-forcing field changed; and dnsmig-prod, whose records
// the Helm era left, adopted by their ids. Both are decommissioned at the end.
import { strict as assert } from "node:assert";
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { environment } from "./hooks";
import { ApiRecord, LoggedRequest, cloudflare, cloudflareRead, originCaPem, recordsNamed, requestsSince, zoneId } from "./cloudflare";
import { FieldChange, withField } from "./field-changes";
import { PreviewJson, assertKubernetesMatchesPlan, plan, typeOfUrn } from "./live";
import { kubeGet } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StateResource } from "../../src/decommission/state";
import { compareFleet } from "../../src/diff/compare";
import { KindType, forcesReplacement, kindOf } from "../../src/kinds";
import type { PlannedResource, StackPlan } from "../../src/plan/engine";

const DNS_RECORD: KindType = "cloudflare:index/dnsRecord:DnsRecord";
const ORIGIN_CA: KindType = "cloudflare:index/originCaCertificate:OriginCaCertificate";
const CERT_REQUEST: KindType = "tls:index/certRequest:CertRequest";

/** dns-prod's hosts, by what the scenarios do to them. */
const HOST = {
  domain: "dns.fitfile.net",
  removedRetained: "dns-api.fitfile.net",
  removedDeleted: "dns-files.fitfile.net",
  // Two labels below fitfile.net (the zone has Advanced Certificate Manager), then in its own zone.
  moved: "dns-eu.eu.fitfile.net",
  added: "dns-new.fitfile.net",
};
const STACK = "dns-prod";

/** The customer file of dns-prod: production's defaults (a CNAME to the ingress, proxied, automatic ttl), Origin CA certificates. */
function dnsCustomer(extraHosts: string[], zones: string[], retainOnDelete: boolean): string {
  return [
    "# A production-shaped customer with DNS on and Origin CA certificates (test/e2e/15-dns.e2e.ts).",
    "name: dns",
    "displayName: DNS",
    "fitConnectCode: FITConnect DNS",
    "storage:",
    "  minio: { size: 2Gi }",
    "  postgresql: { size: 1Gi }",
    "environments:",
    "  prod:",
    `    domain: ${HOST.domain}`,
    `    extraHosts: [${extraHosts.join(", ")}]`,
    "    dbSuffix: _dns",
    `    dns: { zones: [${zones.map((z) => `{ name: ${z} }`).join(", ")}], advancedCertificateManager: true, retainOnDelete: ${retainOnDelete} }`,
    "    certificates: { mode: origin-ca }",
    "",
  ].join("\n");
}

const MIGRATED = { stack: "dnsmig-prod", hosts: ["dnsmig.fitfile.net", "dnsmig-api.fitfile.net", "dnsmig.fitfile.co.uk"], target: "203.0.113.10" };
const MIGRATED_STACK_FILE = `stacks/Pulumi.${MIGRATED.stack}.yaml`;

const STACK_FILE = (stack: string) => `# Stack ${stack} of test/e2e/15-dns.e2e.ts, on the e2e control plane\nconfig:\n  kubernetes:context: ffnodes-local\n`;

/** The logical name of a resource of a stack's state: the last part of its URN. */
const nameOf = (r: { urn: string }) => r.urn.slice(r.urn.lastIndexOf("::") + 2);

/** The resource of that type in a stack's state; exactly one. */
function onlyOf(resources: StateResource[], type: string): StateResource {
  const found = resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `${found.length} ${type} in the state`);
  return found[0];
}

/** The changes to DNS records in the double's log: every request that is not a read, with its record id or zone. */
const recordWrites = (log: LoggedRequest[]) => log.filter((r) => r.method !== "GET" && r.path.includes("/dns_records"));

/** What a record's fields are on Cloudflare, as the plan declares them. */
const recordFields = (r: Pick<ApiRecord, "name" | "type" | "content" | "proxied" | "ttl" | "comment">) => ({
  name: r.name,
  type: r.type,
  content: r.content,
  proxied: r.proxied,
  ttl: r.ttl,
  comment: r.comment,
});

/** Each planned record is on Cloudflare once, in its zone, with the plan's fields; returns them by host. */
async function assertRecordsAsPlanned(stackPlan: StackPlan, zoneOfHost: (host: string) => string): Promise<Record<string, ApiRecord>> {
  const planned = stackPlan.resources.filter((r) => r.type === DNS_RECORD);
  assert.deepEqual(planned.map((r) => r.inputs.name).sort(), [...(stackPlan.outputs.hosts as string[])].sort(), "one record per host");
  const live: Record<string, ApiRecord> = {};
  for (const r of planned) {
    const host = r.inputs.name as string;
    const found = await recordsNamed(host);
    assert.equal(found.length, 1, `${host}: ${JSON.stringify(found)}`);
    assert.equal(found[0].zone, zoneOfHost(host), host);
    const declared = { ...r.inputs };
    delete declared.zoneId;
    assert.deepEqual(recordFields(found[0]), declared, host);
    live[host] = found[0];
  }
  return live;
}

describe("DNS on, against the Cloudflare API double: dns-prod and dnsmig-prod", () => {
  let workdir: Workdir;
  let zones: Record<string, string>;

  before(async () => {
    workdir = new Workdir(environment());
    workdir.write("customers/dns.yaml", dnsCustomer([HOST.removedRetained, HOST.removedDeleted, HOST.moved], ["fitfile.net"], true));
    workdir.write(`stacks/Pulumi.${STACK}.yaml`, STACK_FILE(STACK));
    zones = Object.fromEntries(await Promise.all(["fitfile.net", "fitfile.co.uk", "eu.fitfile.net"].map(async (z) => [z, await zoneId(z)] as const)));
  });
  after(() => workdir?.remove());

  /** The Origin CA certificate of dns-prod's state, as the double holds it, checked against the plan, the key and the Secret. */
  async function assertOriginCaCertificate(stackPlan: StackPlan): Promise<{ id: string; keyPem: string }> {
    const state = workdir.stateResources(STACK);
    const id = onlyOf(state, ORIGIN_CA).outputs?.id as string;
    const issued = (await cloudflareRead(`certificates/${id}`)) as { certificate: string; csr: string; hostnames: string[]; request_type: string; requested_validity: number };
    assert.ok(issued, `certificate ${id} is not on Cloudflare`);
    const planned = stackPlan.resources.find((r) => r.type === ORIGIN_CA)!.inputs;
    assert.deepEqual(issued.hostnames, planned.hostnames);
    assert.equal(issued.request_type, planned.requestType);
    assert.equal(issued.requested_validity, planned.requestedValidity);
    // Issued from the stack's own CSR: the one the tls provider made from its key.
    assert.equal(issued.csr, onlyOf(state, CERT_REQUEST).outputs?.certRequestPem);

    const certificate = new X509Certificate(issued.certificate);
    const ca = new X509Certificate(await originCaPem());
    assert.ok(certificate.verify(ca.publicKey), "signed by the double's Origin CA");
    assert.ok(certificate.checkIssued(ca));
    assert.deepEqual(certificate.subjectAltName?.split(", ").sort(), (planned.hostnames as string[]).map((h) => `DNS:${h}`).sort());

    const outputs = workdir.outputs(STACK);
    const secret = kubeGet(environment(), "secret", outputs.tlsSecretName, outputs.namespace) as { type?: string; data?: Record<string, string> } | undefined;
    assert.ok(secret?.data, `Secret ${outputs.namespace}/${outputs.tlsSecretName} is missing`);
    assert.equal(secret.type, "kubernetes.io/tls");
    const decoded = (key: string) => Buffer.from(secret.data![key] ?? "", "base64").toString("utf8");
    assert.equal(decoded("tls.crt").trim(), issued.certificate.trim(), "tls.crt is the certificate Cloudflare issued");
    const keyPem = decoded("tls.key");
    const key = createPrivateKey(keyPem);
    assert.ok(certificate.checkPrivateKey(key), "tls.key is the key of the certificate's public key");
    return { id, keyPem };
  }

  describe("1. a new customer with DNS on and Origin CA certificates", () => {
    let stackPlan: StackPlan;
    let upOutput: string;
    let log: LoggedRequest[];

    before(async () => {
      stackPlan = plan(workdir, STACK);
      const from = (await requestsSince(0)).length;
      workdir.ensureStack(STACK);
      upOutput = workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
      log = await requestsSince(from);
    });

    it("creates one record per host, in its zone, with the plan's target, proxy flag, ttl and comment, and nothing else", async () => {
      const live = await assertRecordsAsPlanned(stackPlan, () => "fitfile.net");
      assert.equal(Object.keys(live).length, 4);
      assert.deepEqual(
        recordWrites(log).map((r) => `${r.method} ${r.path} ${r.status}`),
        Object.keys(live).map(() => `POST /client/v4/zones/${zones["fitfile.net"]}/dns_records 200`),
      );
      // The state holds Cloudflare's ids.
      const ids = workdir.stateResources(STACK).filter((r) => r.type === DNS_RECORD).map((r) => r.outputs?.id).sort();
      assert.deepEqual(ids, Object.values(live).map((r) => r.id).sort());
    });

    it("issues the Origin CA certificate from the CSR of the stack's tls key, and the kubernetes.io/tls Secret holds it with its key", async () => {
      await assertOriginCaCertificate(stackPlan);
      assertKubernetesMatchesPlan(environment(), stackPlan);
    });

    it("never shows the private key: not in the plan, the stack's outputs, its state or the output of up", async () => {
      const { keyPem } = await assertOriginCaCertificate(stackPlan);
      // A line of the key's body, which any clear copy would contain.
      const body = keyPem.split("\n")[1];
      assert.ok(body.length >= 40, keyPem.slice(0, 40));
      const texts = {
        plan: JSON.stringify(stackPlan),
        outputs: workdir.pulumi(["stack", "output", "--json", "-s", STACK]),
        state: workdir.pulumi(["stack", "export", "-s", STACK]),
        up: upOutput,
      };
      for (const [where, text] of Object.entries(texts)) {
        assert.ok(!text.includes(body), `the key is in clear in the ${where}`);
        assert.doesNotMatch(text, /PRIVATE KEY-----/, where);
      }
    });
  });

  describe("2. idempotent", () => {
    it("a second preview changes nothing, nor does a refresh followed by a preview; Cloudflare is only read", async () => {
      const from = (await requestsSince(0)).length;
      workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
      workdir.pulumi(["refresh", "--yes", "--skip-preview", "-s", STACK]);
      workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
      const log = await requestsSince(from);
      assert.ok(log.some((r) => r.path.includes("/dns_records/")), "the refresh read the records");
      assert.deepEqual(log.filter((r) => r.method !== "GET" || r.status !== 200), []);
    });
  });

  describe("3. changes", () => {
    it("a host added makes exactly one record; a host removed while dns.retainOnDelete is true keeps its record", async () => {
      const [retained] = await recordsNamed(HOST.removedRetained);
      const certificateBefore = onlyOf(workdir.stateResources(STACK), ORIGIN_CA).outputs?.id as string;
      const from = (await requestsSince(0)).length;
      // retainOnDelete turns false in the same change: a removed record keeps the option it was last applied with.
      workdir.write("customers/dns.yaml", dnsCustomer([HOST.removedDeleted, HOST.moved, HOST.added], ["fitfile.net"], false));
      workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
      const log = await requestsSince(from);

      assert.deepEqual(recordWrites(log).map((r) => `${r.method} ${r.path} ${r.status}`), [`POST /client/v4/zones/${zones["fitfile.net"]}/dns_records 200`]);
      const stackPlan = plan(workdir, STACK);
      const live = await assertRecordsAsPlanned(stackPlan, () => "fitfile.net");
      assert.ok(live[HOST.added]);
      assert.deepEqual(await recordsNamed(HOST.removedRetained), [retained], "the removed host's record stays, unchanged");
      assert.ok(!workdir.stateResources(STACK).some((r) => nameOf(r) === `dns-${HOST.removedRetained}`), "and leaves the stack");
      // The hosts changed, so did the certificate: a new one for them, the old one revoked.
      const { id } = await assertOriginCaCertificate(stackPlan);
      assert.notEqual(id, certificateBefore);
      assert.equal(await cloudflareRead(`certificates/${certificateBefore}`), undefined, "the old certificate is revoked");
    });

    it("with dns.retainOnDelete false, a host removed deletes its record, and a host moved into another zone gets a new record there once the old one is deleted", async () => {
      const [deleted] = await recordsNamed(HOST.removedDeleted);
      const [before] = await recordsNamed(HOST.moved);
      assert.equal(before?.zone, "fitfile.net");
      const from = (await requestsSince(0)).length;
      // eu.fitfile.net gets a zone of its own: the host's longest zone is now that one.
      workdir.write("customers/dns.yaml", dnsCustomer([HOST.moved, HOST.added], ["fitfile.net", "eu.fitfile.net"], false));
      workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
      const writes = recordWrites(await requestsSince(from)).map((r) => `${r.method} ${r.path} ${r.status}`);

      const stackPlan = plan(workdir, STACK);
      const live = await assertRecordsAsPlanned(stackPlan, (host) => (host === HOST.moved ? "eu.fitfile.net" : "fitfile.net"));
      assert.deepEqual(await recordsNamed(HOST.removedDeleted), []);
      const moved = live[HOST.moved];
      assert.notEqual(moved.id, before.id);
      // Each request is logged once answered, and the provider sends the next only then: the old
      // record was gone before the new one was asked for, so the host never had two.
      const deleteOld = `DELETE /client/v4/zones/${zones["fitfile.net"]}/dns_records/${before.id} 200`;
      const createNew = `POST /client/v4/zones/${zones["eu.fitfile.net"]}/dns_records 200`;
      assert.deepEqual(
        [...writes].sort(),
        [`DELETE /client/v4/zones/${zones["fitfile.net"]}/dns_records/${deleted.id} 200`, deleteOld, createNew].sort(),
        writes.join("\n"),
      );
      assert.ok(writes.indexOf(deleteOld) < writes.indexOf(createNew), writes.join("\n"));
      await assertOriginCaCertificate(stackPlan);
    });
  });

  describe("4. adoption of the records the Helm era left", () => {
    let helm: Record<string, ApiRecord>;

    before(async () => {
      workdir.write(
        "customers/dnsmig.yaml",
        [
          "# A customer whose DNS records the Helm era made (test/e2e/15-dns.e2e.ts).",
          "name: dnsmig",
          "displayName: DNS Migration",
          "fitConnectCode: FITConnect DNSMIG",
          "storage:",
          "  minio: { size: 2Gi }",
          "  postgresql: { size: 1Gi }",
          "environments:",
          "  prod:",
          `    domain: ${MIGRATED.hosts[0]}`,
          `    extraHosts: [${MIGRATED.hosts.slice(1).join(", ")}]`,
          "    dbSuffix: _dnsmig",
          `    dns: { zones: [{ name: fitfile.net }, { name: fitfile.co.uk }], target: ${MIGRATED.target} }`,
          "",
        ].join("\n"),
      );
      // Only the records are live: everything else of the stack is new.
      const created = ["namespace", "claim-minio", "claim-postgresql", "vault-mount", "vault-policy-app-read", "vault-policy-operator", "vault-auth-role", "vault-credentials", "certificate", "gitops-project", "gitops-applicationset"];
      workdir.write(
        MIGRATED_STACK_FILE,
        `${STACK_FILE(MIGRATED.stack)}  ffnodes:adopt: true\n  ffnodes:adoptIds:\n${created.map((key) => `    ${key}: create\n`).join("")}`,
      );
      // As the Helm era left them: the old ingress address, one record not proxied with its own ttl, comments of their own.
      const helmRecord = async (host: string, zone: string, fields: object) =>
        (await cloudflare("POST", `zones/${zones[zone]}/dns_records`, { type: "A", name: host, ...fields })) as ApiRecord;
      helm = {
        [MIGRATED.hosts[0]]: await helmRecord(MIGRATED.hosts[0], "fitfile.net", { content: "203.0.113.99", proxied: true, ttl: 1, comment: "helm: dnsmig" }),
        [MIGRATED.hosts[1]]: await helmRecord(MIGRATED.hosts[1], "fitfile.net", { content: "203.0.113.99", proxied: false, ttl: 300 }),
        [MIGRATED.hosts[2]]: await helmRecord(MIGRATED.hosts[2], "fitfile.co.uk", { content: MIGRATED.target, proxied: true, ttl: 1, comment: "helm" }),
      };
    });

    it("adopt-ids finds each host's record with the read-only token and writes its real id", () => {
      const result = workdir.run("env", [`CLOUDFLARE_API_TOKEN=${environment().cloudflare.readToken}`, "npm", "run", "-s", "adopt-ids", "--", "--stack", MIGRATED.stack]);
      assert.equal(result.status, 0, result.stderr);
      const text = workdir.read(MIGRATED_STACK_FILE);
      for (const [host, record] of Object.entries(helm)) {
        const zone = host.endsWith(".co.uk") ? zones["fitfile.co.uk"] : zones["fitfile.net"];
        assert.match(text, new RegExp(`dns-${host.replace(/\./g, "\\.")}: "?${zone}/${record.id}"?\\n`), text);
      }
    });

    it("previews an import of each record by that id, and no create, replace or delete of a record", () => {
      workdir.ensureStack(MIGRATED.stack);
      const preview = workdir.preview(MIGRATED.stack);
      // The engine imports each record, then updates it in place to what ffnodes declares.
      const records = preview.steps.filter((s) => typeOfUrn(s.urn) === DNS_RECORD);
      const ops = (host: string) => records.filter((s) => s.urn.endsWith(`::dns-${host}`)).map((s) => s.op);
      assert.deepEqual(Object.fromEntries(MIGRATED.hosts.map((h) => [h, ops(h)])), Object.fromEntries(MIGRATED.hosts.map((h) => [h, ["import", "update"]])));
      assert.equal(records.length, 2 * MIGRATED.hosts.length);
    });

    it("up imports them with no replace: the same record ids on Cloudflare, updated in place to the plan's target, proxy flag, ttl and comment", async () => {
      const from = (await requestsSince(0)).length;
      workdir.pulumi(["up", "--yes", "--skip-preview", "-s", MIGRATED.stack]);
      const writes = recordWrites(await requestsSince(from));
      const live = await assertRecordsAsPlanned(plan(workdir, MIGRATED.stack), (host) => (host.endsWith(".co.uk") ? "fitfile.co.uk" : "fitfile.net"));
      for (const [host, record] of Object.entries(helm)) assert.equal(live[host].id, record.id, host);
      assert.deepEqual(
        writes.map((r) => `${r.method} ${r.status}`),
        Object.keys(helm).map(() => "PUT 200"),
        "each record updated in place, none created or deleted",
      );
    });

    it("with adopt mode then turned off, has nothing left to change", () => {
      workdir.pulumi(["config", "rm", "ffnodes:adopt", "-s", MIGRATED.stack]);
      workdir.pulumi(["config", "rm", "ffnodes:adoptIds", "-s", MIGRATED.stack]);
      workdir.pulumi(["preview", "--expect-no-changes", "-s", MIGRATED.stack]);
    });
  });

  describe("5. the fleet diff agrees with the providers on what replaces", () => {
    /** Where the changed fields are listed, and the program that applies them (test/e2e/field-changes.ts) before the real one. */
    const CHANGES_FILE = "e2e-field-changes.json";
    const CHANGED_PROGRAM = [
      "// The program, with the fields listed in e2e-field-changes.json changed as it registers them (test/e2e/15-dns.e2e.ts).",
      'import { registerFieldChanges } from "../test/e2e/field-changes";',
      'import { stackOutputs } from "./program";',
      `registerFieldChanges(${JSON.stringify(CHANGES_FILE)});`,
      "export = stackOutputs(process.cwd());",
      "",
    ].join("\n");
    /** Another key, for the fields that hold one. */
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const other = (host: string) => host.replace(/^[^.]+/, "dns-other");
    const label = { e2echange: "yes" };

    /**
     * A new value for each field the fleet diff says forces a replacement, by `<type> <path>`. A
     * field src/kinds.ts adds without one here fails the scenario, naming it.
     */
    const REPLACING: Record<string, (r: PlannedResource) => unknown> = {
      [`${DNS_RECORD} zoneId`]: () => zones["fitfile.co.uk"],
      [`${DNS_RECORD} type`]: () => "A",
      [`${ORIGIN_CA} csr`]: () => "-----BEGIN CERTIFICATE REQUEST-----\nMA==\n-----END CERTIFICATE REQUEST-----\n",
      [`${ORIGIN_CA} hostnames`]: (r) => [...(r.inputs.hostnames as string[]), other(HOST.domain)],
      [`${ORIGIN_CA} requestType`]: () => "origin-ecc",
      [`${ORIGIN_CA} requestedValidity`]: () => 365,
      ["tls:index/privateKey:PrivateKey algorithm"]: () => "ECDSA",
      ["tls:index/privateKey:PrivateKey rsaBits"]: () => 4096,
      [`${CERT_REQUEST} dnsNames`]: (r) => [...(r.inputs.dnsNames as string[]), other(HOST.domain)],
      [`${CERT_REQUEST} privateKeyPem`]: () => otherKey,
      [`${CERT_REQUEST} subject`]: () => ({ commonName: other(HOST.domain) }),
      ["kubernetes:core/v1:Secret metadata.name"]: (r) => `${(r.inputs.metadata as { name: string }).name}-other`,
      ["kubernetes:core/v1:Secret metadata.namespace"]: () => "default",
      ["kubernetes:core/v1:Secret type"]: () => "Opaque",
      ["kubernetes:core/v1:Secret stringData"]: () => ({ "tls.crt": "other", "tls.key": "other" }),
      ["kubernetes:core/v1:Secret data"]: () => ({ "ca.crt": Buffer.from("other").toString("base64") }),
      ["kubernetes:core/v1:Namespace metadata.name"]: () => "dns-other",
      ["kubernetes:core/v1:PersistentVolumeClaim metadata.name"]: (r) => `${(r.inputs.metadata as { name: string }).name}-other`,
      ["kubernetes:core/v1:PersistentVolumeClaim metadata.namespace"]: () => "default",
      ["kubernetes:core/v1:PersistentVolumeClaim spec.accessModes"]: () => ["ReadWriteMany"],
      ["kubernetes:core/v1:PersistentVolumeClaim spec.selector"]: () => ({ matchLabels: label }),
      ["kubernetes:core/v1:PersistentVolumeClaim spec.storageClassName"]: () => "local-path",
      ["kubernetes:core/v1:PersistentVolumeClaim spec.volumeName"]: () => "pv-e2e-other",
      ["vault:index/mount:Mount type"]: () => "generic",
      ["vault:index/mount:Mount local"]: () => true,
      ["vault:index/mount:Mount sealWrap"]: () => true,
      ["vault:index/mount:Mount externalEntropyAccess"]: () => true,
      ["vault:kv/secretV2:SecretV2 mount"]: () => "dns-other",
      ["vault:kv/secretV2:SecretV2 name"]: () => "app-other",
    };

    /**
     * Fields the fleet diff says are updated in place, with a new value: for the Cloudflare kinds
     * and the Vault mount every other input, for the Kubernetes objects a label.
     */
    const UPDATING: Record<string, Record<string, (r: PlannedResource) => unknown>> = {
      [DNS_RECORD]: {
        comment: () => "changed by test/e2e/15-dns",
        content: () => "ingress-2.fitfile.net",
        name: (r) => other(r.inputs.name as string),
        proxied: () => false,
        ttl: () => 300,
      },
      "kubernetes:core/v1:Secret": { "metadata.labels.e2echange": () => "yes" },
      "kubernetes:core/v1:Namespace": { "metadata.labels.e2echange": () => "yes" },
      "kubernetes:core/v1:PersistentVolumeClaim": { "metadata.labels.e2echange": () => "yes" },
      "vault:index/mount:Mount": { description: () => "changed by test/e2e/15-dns", options: () => ({ version: "1" }), path: () => "dns-other" },
    };

    /** The resources checked: the records and the Origin CA chain (the DNS and certificates components), and the data holders of Kubernetes and Vault; one of each type. */
    let checked: PlannedResource[];
    let base: StackPlan;

    before(() => {
      base = plan(workdir, STACK);
      const byType = new Map<string, PlannedResource>();
      for (const r of base.resources) {
        const isChecked = /^(cloudflare|tls):/.test(r.type) || r.parent === "certificates" || (kindOf(r.type)?.holdsData === true && /^(kubernetes|vault):/.test(r.type));
        if (isChecked && !byType.has(r.type)) byType.set(r.type, r);
      }
      checked = [...byType.values()];
      assert.deepEqual(
        checked.map((r) => r.type).sort(),
        [DNS_RECORD, ORIGIN_CA, CERT_REQUEST, "tls:index/privateKey:PrivateKey", "kubernetes:core/v1:Secret", "kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim", "vault:index/mount:Mount", "vault:kv/secretV2:SecretV2"].sort(),
      );
    });

    /** Every field the fleet diff (src/kinds.ts) says replaces each checked resource, with a new value. */
    function replacingChanges(): FieldChange[] {
      return checked.flatMap((r) =>
        kindOf(r.type)!.replaceOn
          .flatMap((p) => (p === "" ? Object.keys(r.inputs) : [p]))
          .map((p) => {
            const value = REPLACING[`${r.type} ${p}`];
            assert.ok(value, `src/kinds.ts says ${p} replaces a ${r.type}: give it a new value in REPLACING`);
            return { type: r.type, name: r.name, path: p, value: value(r) };
          }),
      );
    }

    function updatingChanges(): FieldChange[] {
      return checked.flatMap((r) => {
        const fields = UPDATING[r.type] ?? {};
        // For the Cloudflare kinds and Vault: every input the diff does not call replacing and the program does not ignore.
        if (!r.type.startsWith("kubernetes:")) {
          const rest = Object.keys(r.inputs).filter((p) => !forcesReplacement(r.type, p) && !(r.ignoreChanges ?? []).includes(p));
          assert.deepEqual(Object.keys(fields).sort(), rest.sort(), `${r.type}: give every input that does not replace it a new value in UPDATING`);
        }
        return Object.entries(fields).map(([p, value]) => ({ type: r.type, name: r.name, path: p, value: value(r) }));
      });
    }

    /** Previews dns-prod with those fields changed; the changes file and the program are put back afterwards. */
    function previewWith(changes: FieldChange[]): { passed: boolean; preview: PreviewJson } {
      const entryPoint = workdir.read("src/index.ts");
      workdir.write(CHANGES_FILE, JSON.stringify(changes));
      workdir.write("src/index.ts", CHANGED_PROGRAM);
      try {
        const result = workdir.pulumiMayFail(["preview", "--json", "-s", STACK]);
        return { passed: result.status === 0, preview: JSON.parse(result.stdout) as PreviewJson };
      } finally {
        workdir.write("src/index.ts", entryPoint);
        fs.rmSync(path.join(workdir.dir, CHANGES_FILE));
      }
    }

    /** Whether the fleet diff replaces each changed resource: its own comparison of the plan with the plan changed alike. */
    function diffSays(changes: FieldChange[]): Map<string, boolean> {
      const head = structuredClone(base);
      for (const c of changes) {
        const r = head.resources.find((x) => x.type === c.type && x.name === c.name)!;
        r.inputs = withField(r.inputs, c.path.split("."), c.value) as Record<string, unknown>;
      }
      const fleet = compareFleet({ plans: [base], secrets: {} }, { plans: [head], secrets: {} });
      return new Map(fleet.stacks[0].changed.map((ch) => [`${ch.type} ${ch.name}`, ch.replace]));
    }

    /** A field of the provider's detailed diff that is the changed field or inside it (`hostnames[3]` of `hostnames`). */
    const within = (key: string, field: string) => key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`);
    /** Where the provider reports a change of a field: pulumi-kubernetes folds a Secret's stringData into its data before it compares. */
    const reportedAt = (type: string, field: string) => (type === "kubernetes:core/v1:Secret" && field === "stringData" ? "data" : field);

    /**
     * The fields the provider reports as changing, each replacing or not: the field-level diff
     * where it gives one (pulumi-kubernetes), else the properties it names as differing and as
     * replacing (the bridged providers give no field-level diff to `preview --json`).
     */
    function reportedFields(step: PreviewJson["steps"][number] | undefined): [string, boolean][] {
      if (step?.detailedDiff) return Object.entries(step.detailedDiff).map(([key, { kind }]) => [key, kind.endsWith("-replace")]);
      const replacing = step?.replaceReasons ?? [];
      return [...new Set([...(step?.diffReasons ?? []), ...replacing])].map((key) => [key, replacing.includes(key)]);
    }

    /**
     * For each changed resource: the preview replaces it exactly when the fleet diff does, and
     * every field the provider reports (changed here, or following from it) replaces exactly when
     * src/kinds.ts says so. Returns every disagreement.
     */
    function disagreements(changes: FieldChange[], preview: PreviewJson): string[] {
      const verdicts = diffSays(changes);
      const found: string[] = [];
      for (const r of checked) {
        const mine = changes.filter((c) => c.type === r.type && c.name === r.name);
        if (mine.length === 0) continue;
        const replaces = verdicts.get(`${r.type} ${r.name}`);
        assert.notEqual(replaces, undefined, `the fleet diff shows no change of ${r.type} ${r.name}`);
        const step = preview.steps.find((s) => typeOfUrn(s.urn) === r.type && s.urn.endsWith(`::${r.name}`) && !["create-replacement", "delete-replaced"].includes(s.op));
        const op = step?.op ?? "same";
        if (op !== (replaces ? "replace" : "update")) found.push(`${r.type} ${r.name}: the fleet diff says ${replaces ? "replace" : "update"}, pulumi previews ${op}`);
        const reported = reportedFields(step);
        for (const c of mine) {
          const at = reported.filter(([key]) => within(key, reportedAt(r.type, c.path)));
          if (at.length === 0) found.push(`${r.type} ${r.name}: the provider reports no change of ${c.path}`);
          for (const [key, replacing] of at) {
            if (replacing !== forcesReplacement(r.type, c.path)) found.push(`${r.type} ${r.name}: ${c.path} (${key}) is ${replacing ? "replacing" : "in place"} for the provider, not for src/kinds.ts`);
          }
        }
        // Whatever else the provider replaces on (a field that follows from a changed one) must be known to src/kinds.ts too.
        for (const [key] of reported.filter(([, replacing]) => replacing)) {
          if (!forcesReplacement(r.type, key)) found.push(`${r.type} ${r.name}: the provider replaces on ${key}, src/kinds.ts does not`);
        }
      }
      return found;
    }

    it("every field the diff marks as replacing is replaced by the real preview; the engine refuses it for what is protected", () => {
      const changes = replacingChanges();
      const { passed, preview } = previewWith(changes);
      assert.deepEqual(disagreements(changes, preview), []);
      // Each refusal, then the preview's own closing error.
      const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error" && !/^error: preview failed/.test(d.message));
      const refused = errors.filter((d) => /marked for protection/.test(d.message)).map((d) => typeOfUrn(d.urn ?? ""));
      assert.deepEqual([...new Set(refused)].sort(), checked.filter((r) => r.protect).map((r) => r.type).sort(), JSON.stringify(errors));
      assert.equal(refused.length, errors.length, JSON.stringify(errors));
      assert.ok(!passed);
    });

    it("every other field is updated in place, and nothing at all is replaced", () => {
      const changes = updatingChanges();
      const { passed, preview } = previewWith(changes);
      assert.ok(passed, JSON.stringify(preview.diagnostics));
      assert.deepEqual(disagreements(changes, preview), []);
      assert.deepEqual(preview.steps.filter((s) => !["same", "update"].includes(s.op)).map((s) => `${s.op} ${s.urn}`), []);
    });
  });

  describe("6. decommission keeps or deletes the records as its dry run said", () => {
    for (const { stack, says } of [
      { stack: STACK, says: "deleted" },
      { stack: MIGRATED.stack, says: "kept" },
    ]) {
      it(`${stack}: its dry run says each record is ${says}, and so it is`, async () => {
        const hosts = plan(workdir, stack).outputs.hosts as string[];
        const before = await Promise.all(hosts.map((h) => recordsNamed(h)));
        const state = workdir.stateResources(stack);
        const dry = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", stack]);
        assert.equal(dry.status, 0, dry.stderr);
        const lines = dry.stdout.split("\n");
        const said = hosts.map((h) => {
          const line = lines.find((l) => l.includes(`DNS record ${h} (`));
          assert.ok(line, `the dry run does not name ${h}:\n${dry.stdout}`);
          return /retained on delete: stays/.test(line) ? "kept" : "deleted";
        });
        assert.deepEqual(said, hosts.map(() => says), dry.stdout);
        const leftInPlace = lines.find((l) => l.includes("Left in place:")) ?? "";
        for (const [i, h] of hosts.entries()) assert.equal(leftInPlace.includes(`${before[i][0].type} ${h}`), says === "kept", leftInPlace);

        const from = (await requestsSince(0)).length;
        const run = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", stack, "--confirm", stack, "--production"], { timeoutSeconds: 900 });
        assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        const after = await Promise.all(hosts.map((h) => recordsNamed(h)));
        assert.deepEqual(after, says === "kept" ? before : hosts.map(() => []));
        const writes = recordWrites(await requestsSince(from)).map((r) => `${r.method} ${r.status}`);
        assert.deepEqual(writes, says === "kept" ? [] : hosts.map(() => "DELETE 200"));
        // What holds no data goes: the Origin CA certificate is revoked.
        for (const certificate of state.filter((r) => r.type === ORIGIN_CA)) {
          assert.equal(await cloudflareRead(`certificates/${certificate.outputs?.id as string}`), undefined, "the certificate is revoked");
        }
      });
    }
  });
});
