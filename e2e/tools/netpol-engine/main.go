// netpol-engine answers whether flows are allowed by a set of NetworkPolicies, with Kubernetes'
// NetworkPolicy semantics as the upstream conformance tool's engine (cyclonus) implements them.
// It evaluates; it enforces nothing. Input on stdin, one JSON document:
//
//	{ "policies": [<NetworkPolicy as the API server returns it>, ...],
//	  "flows": [{ "from": <peer>, "to": <peer>, "port": 443, "protocol": "TCP" }, ...] }
//
// where a peer is a pod, { "namespace", "namespaceLabels", "podLabels", "ip" }, or an address
// outside the cluster, { "ip" } alone. Output on stdout: one { "ingress", "egress", "allowed" }
// per flow, in order: whether the destination's policies admit it, whether the source's let it
// out, and both.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

type peer struct {
	Namespace       string            `json:"namespace"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	PodLabels       map[string]string `json:"podLabels"`
	IP              string            `json:"ip"`
}

type flow struct {
	From     peer   `json:"from"`
	To       peer   `json:"to"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"`
}

type input struct {
	Policies []*networkingv1.NetworkPolicy `json:"policies"`
	Flows    []flow                        `json:"flows"`
}

type verdict struct {
	Ingress bool `json:"ingress"`
	Egress  bool `json:"egress"`
	Allowed bool `json:"allowed"`
}

func trafficPeer(p peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	return &matcher.TrafficPeer{
		IP: p.IP,
		Internal: &matcher.InternalPeer{
			Namespace:       p.Namespace,
			NamespaceLabels: p.NamespaceLabels,
			PodLabels:       p.PodLabels,
		},
	}
}

func evaluate(in input) ([]verdict, error) {
	for _, p := range in.Policies {
		// The engine panics on a policy without policyTypes; the API server always sets them.
		if len(p.Spec.PolicyTypes) == 0 {
			return nil, fmt.Errorf("NetworkPolicy %s/%s has no policyTypes: give the policies as the API server returns them", p.Namespace, p.Name)
		}
	}
	policy := matcher.BuildNetworkPolicies(false, in.Policies)
	verdicts := make([]verdict, 0, len(in.Flows))
	for i, f := range in.Flows {
		if f.From.IP == "" || f.To.IP == "" || f.Port <= 0 || f.Protocol == "" {
			return nil, fmt.Errorf("flow %d: each peer needs an ip, and the flow a port and a protocol", i)
		}
		result := policy.IsTrafficAllowed(&matcher.Traffic{
			Source:       trafficPeer(f.From),
			Destination:  trafficPeer(f.To),
			ResolvedPort: f.Port,
			Protocol:     corev1.Protocol(f.Protocol),
		})
		verdicts = append(verdicts, verdict{
			Ingress: result.Ingress.IsAllowed(),
			Egress:  result.Egress.IsAllowed(),
			Allowed: result.IsAllowed(),
		})
	}
	return verdicts, nil
}

func main() {
	var in input
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "netpol-engine: reading the input: %v\n", err)
		os.Exit(2)
	}
	verdicts, err := evaluate(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "netpol-engine: %v\n", err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(verdicts); err != nil {
		fmt.Fprintf(os.Stderr, "netpol-engine: %v\n", err)
		os.Exit(1)
	}
}
