package main

import (
	"encoding/json"
	"testing"
)

// The engine wired as the e2e suite uses it: a default deny, an allow by namespace label, and
// an ipBlock with exceptions, written as the API server returns them.
const policies = `[
 {"metadata":{"name":"default-deny","namespace":"a"},
  "spec":{"podSelector":{},"policyTypes":["Ingress","Egress"]}},
 {"metadata":{"name":"from-ingress","namespace":"a"},
  "spec":{"podSelector":{},"policyTypes":["Ingress"],
   "ingress":[{"from":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress"}}}]}]}},
 {"metadata":{"name":"https-out","namespace":"a"},
  "spec":{"podSelector":{},"policyTypes":["Egress"],
   "egress":[{"to":[{"ipBlock":{"cidr":"0.0.0.0/0","except":["10.0.0.0/8","169.254.0.0/16"]}}],
              "ports":[{"protocol":"TCP","port":443}]}]}}
]`

func pod(namespace, ip string) peer {
	return peer{Namespace: namespace, NamespaceLabels: map[string]string{"kubernetes.io/metadata.name": namespace}, PodLabels: map[string]string{"app": "x"}, IP: ip}
}

func TestEvaluate(t *testing.T) {
	var in input
	if err := json.Unmarshal([]byte(policies), &in.Policies); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		flow flow
		want verdict
	}{
		{"ingress controller to a", flow{pod("ingress", "10.1.0.1"), pod("a", "10.2.0.1"), 80, "TCP"}, verdict{true, true, true}},
		{"another namespace to a", flow{pod("b", "10.3.0.1"), pod("a", "10.2.0.1"), 80, "TCP"}, verdict{false, true, false}},
		{"a to the internet on 443", flow{pod("a", "10.2.0.1"), peer{IP: "1.1.1.1"}, 443, "TCP"}, verdict{true, true, true}},
		{"a to the internet on 80", flow{pod("a", "10.2.0.1"), peer{IP: "1.1.1.1"}, 80, "TCP"}, verdict{true, false, false}},
		{"a to the metadata address", flow{pod("a", "10.2.0.1"), peer{IP: "169.254.169.254"}, 443, "TCP"}, verdict{true, false, false}},
		{"a to a pod of b", flow{pod("a", "10.2.0.1"), pod("b", "10.3.0.1"), 443, "TCP"}, verdict{true, false, false}},
	}
	for _, c := range cases {
		in.Flows = append(in.Flows, c.flow)
	}
	got, err := evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got[i], c.want)
		}
	}
}

func TestRefusesPoliciesWithoutTypes(t *testing.T) {
	var in input
	if err := json.Unmarshal([]byte(`{"policies":[{"metadata":{"name":"p","namespace":"a"},"spec":{"podSelector":{}}}],"flows":[]}`), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := evaluate(in); err == nil {
		t.Fatal("a policy without policyTypes was evaluated")
	}
}
