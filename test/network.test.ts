import * as assert from "node:assert/strict";
import fc from "fast-check";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { NamespaceSpecs, buildNamespace } from "../src/components/namespace";
import { ipBlocks } from "../src/config/cidr";
import { EnvironmentConfig } from "../src/config/environment";
import { stackConfig } from "./gitops-helpers";
import { Refusal, customerFixture, fixtureRoot, itRejects, nonEmpty, problemsOf, resolveStack } from "./helpers";

/*
 * What a pod of the namespace may send, read from its NetworkPolicies as Kubernetes does
 * (kubernetes.io/docs/concepts/services-networking/network-policies): policies selecting the
 * pod add up, and a connection passes when one egress rule allows both its peer and its port.
 * Policies apply after a Service's address is translated to its endpoints.
 */
const toNumber = (ip: string) => ip.split(".").reduce((v, o) => v * 256 + Number(o), 0);
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

interface EgressRule {
  to?: { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: unknown }[];
  ports?: { port: number; protocol: string }[];
}

/** A policy's egress rules as plain data (the specs are typed as Pulumi inputs). */
function egressOf(specs: NamespaceSpecs, name: string): EgressRule[] {
  return (JSON.parse(JSON.stringify(specs.networkPolicies[name].spec)) as { egress?: EgressRule[] }).egress ?? [];
}

function egressAllows(specs: NamespaceSpecs, ip: string, port: number, protocol = "TCP"): boolean {
  return Object.keys(specs.networkPolicies).some((name) =>
    egressOf(specs, name).some((rule) => {
      const peers = rule.to ?? [];
      const ports = rule.ports ?? [];
      const peerOk = peers.some((p) => p.ipBlock && inCidr(ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e) => inCidr(ip, e)));
      return peerOk && (ports.length === 0 || ports.some((p) => p.port === port && p.protocol === protocol));
    }),
  );
}

function withNetwork(config: EnvironmentConfig, network: Partial<EnvironmentConfig["settings"]["network"]>): EnvironmentConfig {
  return { ...config, settings: { ...config.settings, network: { ...config.settings.network, ...network } } };
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join("."));
const cidr = fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([ip, bits]) => `${ip}/${bits}`);

describe("network policies against the platform", () => {
  let prod: EnvironmentConfig;
  before(() => {
    prod = stackConfig("ff-a-prod");
  });

  it("every policy of every repository stack matches the upstream NetworkPolicy schema", () => {
    for (const stack of ["ff-a-prod", "kch-staging", "demo-local"]) {
      for (const policy of nonEmpty(Object.values(buildNamespace(stackConfig(stack)).networkPolicies), `policy of ${stack}`)) {
        new NetworkPolicy({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...policy } as never).validate();
      }
    }
  });

  it("reaches the API server at its endpoints once they are set, although the external rule excepts private ranges", () => {
    assert.equal(egressAllows(buildNamespace(prod), "10.0.0.1", 443), false, "no API server egress until it is configured");
    const specs = buildNamespace(withNetwork(prod, { apiServer: { cidrs: ["10.0.0.1/32", "10.0.0.2/32"], ports: [443] } }));
    assert.equal(egressAllows(specs, "10.0.0.1", 443), true);
    assert.equal(egressAllows(specs, "10.0.0.2", 443), true);
    assert.equal(egressAllows(specs, "10.0.0.3", 443), false, "only the API server's own addresses");
    assert.equal(egressAllows(specs, "10.0.0.1", 22), false, "only its ports");
  });

  it("the local environment reaches a kind or k3d API server on 6443 at a node address of the container network", () => {
    const local = buildNamespace(stackConfig("demo-local"));
    assert.equal(egressAllows(local, "172.18.0.2", 6443), true);
    assert.equal(egressAllows(local, "172.18.0.2", 443), false);
  });

  it("resolves names through kube-system, NodeLocal DNSCache (169.254.20.10) and GKE's Cloud DNS (169.254.169.254), on port 53 only", () => {
    const specs = buildNamespace(prod);
    for (const protocol of ["UDP", "TCP"]) {
      assert.equal(egressAllows(specs, "169.254.20.10", 53, protocol), true, protocol);
      assert.equal(egressAllows(specs, "169.254.169.254", 53, protocol), true, protocol);
    }
    assert.equal(egressAllows(specs, "169.254.169.254", 80), false, "never the metadata server itself");
    assert.deepEqual(egressOf(specs, "allow-dns")[0].to?.[0], { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } });
  });

  it("never reaches the cluster's pod and service CIDRs through the external rule, 100.64.0.0/10 by default", () => {
    assert.equal(egressAllows(buildNamespace(prod), "100.64.3.4", 443), false);
    assert.equal(egressAllows(buildNamespace(prod), "1.1.1.1", 443), true);
    const custom = buildNamespace(withNetwork(prod, { clusterCidrs: ["100.64.0.0/10", "198.18.0.0/15"] }));
    assert.equal(egressAllows(custom, "198.18.7.7", 443), false);
  });

  it("ipBlocks: an address passes exactly when it is in an allowed CIDR and in no excepted one, and every except is a strict subset of its block", () => {
    fc.assert(
      fc.property(fc.array(cidr, { minLength: 1, maxLength: 4 }), fc.array(cidr, { maxLength: 6 }), fc.array(ipv4, { maxLength: 20 }), (allowed, excepted, probes) => {
        const blocks = ipBlocks(allowed, excepted);
        for (const block of blocks) {
          const bits = Number(block.cidr.split("/")[1]);
          for (const e of block.except ?? []) {
            assert.ok(inCidr(e.split("/")[0], block.cidr) && Number(e.split("/")[1]) > bits, `${e} in ${block.cidr}`);
          }
        }
        for (const ip of [...probes, ...allowed.map((c) => c.split("/")[0]), ...excepted.map((c) => c.split("/")[0])]) {
          const expected = allowed.some((c) => inCidr(ip, c)) && !excepted.some((c) => inCidr(ip, c));
          const actual = blocks.some((b) => inCidr(ip, b.cidr) && !(b.except ?? []).some((e) => inCidr(ip, e)));
          assert.equal(actual, expected, ip);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("lists in a narrower external CIDR only the exceptions inside it, so the API server accepts the policy", () => {
    const specs = buildNamespace(withNetwork(prod, { externalEgress: { cidrs: ["203.0.113.0/24", "10.1.0.0/16"], except: ["10.0.0.0/8", "203.0.113.128/25"], ports: [443] } }));
    assert.deepEqual(egressOf(specs, "allow-egress-external")[0].to, [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] } }]);
  });

  describe("a bad API server or DNS endpoint", () => {
    const file = "customers/n.yaml";
    const cases: (Refusal & { yaml: string })[] = [
      { title: "an API server address without a prefix length", file, yaml: "network: { apiServer: { cidrs: [10.0.0.1] } }", path: "environments.prod.network.apiServer.cidrs.0", says: /an IPv4 CIDR such as/ },
      { title: "API server port 0", file, yaml: "network: { apiServer: { ports: [0] } }", path: "environments.prod.network.apiServer.ports.0", says: /a port from 1 to 65535/ },
      { title: "a DNS CIDR out of range", file, yaml: "network: { dnsCidrs: [169.254.20.10/33] }", path: "environments.prod.network.dnsCidrs.0", says: /an IPv4 CIDR such as/ },
      { title: "an IPv6 cluster CIDR", file, yaml: "network: { clusterCidrs: [fd00::/8] }", path: "environments.prod.network.clusterCidrs.0", says: /an IPv4 CIDR such as/ },
    ];
    itRejects(cases, (c) => problemsOf(() => resolveStack(fixtureRoot(customerFixture("n", `domain: n.fitfile.net\n${c.yaml}`)), "n-prod")), { alone: true });
  });
});
