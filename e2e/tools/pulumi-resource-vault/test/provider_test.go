// Package test runs the built provider binary the way the Pulumi engine does: as a process that
// prints its port, then over gRPC. Built as build.sh builds (CGO_ENABLED=0 go test -trimpath
// ./...), the tests reuse its build cache.
package test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// providerBinary is $PROVIDER_BIN, or else the binary that e2e/tools/build.sh builds (or reuses).
func providerBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("PROVIDER_BIN"); bin != "" {
		return bin
	}
	cmd := exec.Command(filepath.Join("..", "..", "build.sh"), tool)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("build.sh %s: %v", tool, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return filepath.Join(lines[len(lines)-1], tool)
}

// provider is a started provider binary and what its Configure answered.
type provider struct {
	pulumirpc.ResourceProviderClient
	acceptSecrets bool
}

// startProvider starts the binary, as the engine does, and connects to the port it prints. It
// is stopped when the test ends.
func startProvider(t *testing.T) *provider {
	t.Helper()
	cmd := exec.Command(providerBinary(t))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("provider's stderr:\n%s", stderr.String())
		}
	})
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the provider printed no port: %v", err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &provider{ResourceProviderClient: pulumirpc.NewResourceProviderClient(conn)}
}

// marshal sends secrets as such only to a provider that accepts them, as the engine does: to
// others it sends their plain values.
func (p *provider) marshal(t *testing.T, props resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(props, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: p.acceptSecrets})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	props, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	return props
}

// configure checks and applies the provider's configuration, as the engine does for a default
// provider from the stack's configuration.
func (p *provider) configure(t *testing.T, pkg string, config resource.PropertyMap) {
	t.Helper()
	urn := string(resource.NewURN("e2e", "ffnodes", "", tokens.Type("pulumi:providers:"+pkg), "default"))
	checked, err := p.CheckConfig(t.Context(), &pulumirpc.CheckRequest{Urn: urn, Olds: p.marshal(t, nil), News: p.marshal(t, config)})
	if err != nil {
		t.Fatalf("check config: %v", err)
	}
	if len(checked.Failures) > 0 {
		t.Fatalf("check config: %v", checked.Failures)
	}
	configured, err := p.Configure(t.Context(), &pulumirpc.ConfigureRequest{Args: checked.Inputs, AcceptSecrets: true, AcceptResources: true})
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	p.acceptSecrets = configured.AcceptSecrets
}

// builtVersion is the version that targets gives the binary.
func builtVersion(t *testing.T) string {
	t.Helper()
	targets, err := os.ReadFile(filepath.Join("..", "targets"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`-X=main\.version=([^ |]+)`).FindSubmatch(targets)
	if m == nil {
		t.Fatal("targets sets no main.version")
	}
	return string(m[1])
}

// live is a resource that the provider created, as the engine keeps it.
type live struct {
	urn, id       string
	inputs, state resource.PropertyMap
}

func (p *provider) create(t *testing.T, typ, name string, inputs resource.PropertyMap) live {
	t.Helper()
	urn := string(resource.NewURN("e2e", "ffnodes", "", tokens.Type(typ), name))
	checked, err := p.Check(t.Context(), &pulumirpc.CheckRequest{
		Urn: urn, Name: name, Type: typ, Olds: p.marshal(t, nil), News: p.marshal(t, inputs),
	})
	if err != nil {
		t.Fatalf("check %s: %v", name, err)
	}
	if len(checked.Failures) > 0 {
		t.Fatalf("check %s: %v", name, checked.Failures)
	}
	checkedInputs := unmarshal(t, checked.Inputs)
	created, err := p.Create(t.Context(), &pulumirpc.CreateRequest{Urn: urn, Name: name, Type: typ, Properties: p.marshal(t, checkedInputs)})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return live{urn: urn, id: created.Id, inputs: checkedInputs, state: unmarshal(t, created.Properties)}
}

// read refreshes the resource as `pulumi refresh` does and returns its state.
func (p *provider) read(t *testing.T, r live) resource.PropertyMap {
	t.Helper()
	res, err := p.Read(t.Context(), &pulumirpc.ReadRequest{Id: r.id, Urn: r.urn, Properties: p.marshal(t, r.state), Inputs: p.marshal(t, r.inputs)})
	if err != nil {
		t.Fatalf("read %s: %v", r.urn, err)
	}
	if res.Id != r.id {
		t.Fatalf("read %s: id %q, want %q", r.urn, res.Id, r.id)
	}
	return unmarshal(t, res.Properties)
}

func (p *provider) destroy(t *testing.T, r live) {
	t.Helper()
	if _, err := p.Delete(t.Context(), &pulumirpc.DeleteRequest{Id: r.id, Urn: r.urn, Properties: p.marshal(t, r.state)}); err != nil {
		t.Fatalf("delete %s: %v", r.urn, err)
	}
}

func want(t *testing.T, state resource.PropertyMap, key string, value resource.PropertyValue) {
	t.Helper()
	if got := state[resource.PropertyKey(key)]; !got.DeepEquals(value) {
		t.Errorf("%s = %v, want %v", key, got, value)
	}
}
