// Package providertest runs a built provider binary the way the Pulumi engine does: as a process
// that prints its port, then over gRPC. Built as build.sh builds (CGO_ENABLED=0 go test -trimpath
// ./...), the tests reuse its build cache.
package providertest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// binaryName is the binary that serves a Pulumi package: the engine looks for it by that name.
func binaryName(pkg string) string { return "pulumi-resource-" + pkg }

// moduleRoot is the folder of the tool's go.mod (and targets), wherever the test runs from.
var moduleRoot = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
})

// binDir is $PROVIDER_BIN_DIR, or else the folder of the tool's binaries that e2e/tools/build.sh
// builds (or reuses).
var binDir = sync.OnceValues(func() (string, error) {
	if dir := os.Getenv("PROVIDER_BIN_DIR"); dir != "" {
		return dir, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	tool := filepath.Base(root)
	cmd := exec.Command(filepath.Join(root, "..", "build.sh"), tool)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("build.sh %s: %w", tool, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
})

// BuiltVersion is the version that the tool's targets give the binary of the package.
func BuiltVersion(t *testing.T, pkg string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	targets, err := os.ReadFile(filepath.Join(root, "targets"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(binaryName(pkg)) + `\|[^|]*\|[^|]*-X=main\.version=([^ |]+)`)
	m := line.FindSubmatch(targets)
	if m == nil {
		t.Fatalf("targets sets no main.version for %s", binaryName(pkg))
	}
	return string(m[1])
}

// Provider is a started provider binary and what its Configure answered.
type Provider struct {
	Client        pulumirpc.ResourceProviderClient
	acceptSecrets bool
}

// Start starts the package's binary, as the engine does, and connects to the port it prints. It
// is stopped when the test ends.
func Start(t *testing.T, pkg string) *Provider {
	t.Helper()
	dir, err := binDir()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(dir, binaryName(pkg)))
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
	// The engine's message size limit: the Cloudflare provider's schema alone is over gRPC's default.
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return &Provider{Client: pulumirpc.NewResourceProviderClient(conn)}
}

// marshal sends secrets as such only to a provider that accepts them, as the engine does: to
// others it sends their plain values.
func (p *Provider) marshal(t *testing.T, props resource.PropertyMap) *structpb.Struct {
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

// Configure checks and applies the provider's configuration, as the engine does for a default
// provider from the stack's configuration.
func (p *Provider) Configure(t *testing.T, pkg string, config resource.PropertyMap) {
	t.Helper()
	urn := string(resource.NewURN("e2e", "ffnodes", "", tokens.Type("pulumi:providers:"+pkg), "default"))
	checked, err := p.Client.CheckConfig(t.Context(), &pulumirpc.CheckRequest{Urn: urn, Olds: p.marshal(t, nil), News: p.marshal(t, config)})
	if err != nil {
		t.Fatalf("check config: %v", err)
	}
	if len(checked.Failures) > 0 {
		t.Fatalf("check config: %v", checked.Failures)
	}
	configured, err := p.Client.Configure(t.Context(), &pulumirpc.ConfigureRequest{Args: checked.Inputs, AcceptSecrets: true, AcceptResources: true})
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	p.acceptSecrets = configured.AcceptSecrets
}

// Live is a resource that the provider created, as the engine keeps it.
type Live struct {
	URN, ID       string
	Inputs, State resource.PropertyMap
}

func (p *Provider) Create(t *testing.T, typ, name string, inputs resource.PropertyMap) Live {
	t.Helper()
	urn := string(resource.NewURN("e2e", "ffnodes", "", tokens.Type(typ), name))
	checked, err := p.Client.Check(t.Context(), &pulumirpc.CheckRequest{
		Urn: urn, Name: name, Type: typ, Olds: p.marshal(t, nil), News: p.marshal(t, inputs),
	})
	if err != nil {
		t.Fatalf("check %s: %v", name, err)
	}
	if len(checked.Failures) > 0 {
		t.Fatalf("check %s: %v", name, checked.Failures)
	}
	checkedInputs := unmarshal(t, checked.Inputs)
	created, err := p.Client.Create(t.Context(), &pulumirpc.CreateRequest{Urn: urn, Name: name, Type: typ, Properties: p.marshal(t, checkedInputs)})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return Live{URN: urn, ID: created.Id, Inputs: checkedInputs, State: unmarshal(t, created.Properties)}
}

// Read refreshes the resource as `pulumi refresh` does and returns its state.
func (p *Provider) Read(t *testing.T, r Live) resource.PropertyMap {
	t.Helper()
	res, err := p.Client.Read(t.Context(), &pulumirpc.ReadRequest{Id: r.ID, Urn: r.URN, Properties: p.marshal(t, r.State), Inputs: p.marshal(t, r.Inputs)})
	if err != nil {
		t.Fatalf("read %s: %v", r.URN, err)
	}
	if res.Id != r.ID {
		t.Fatalf("read %s: id %q, want %q", r.URN, res.Id, r.ID)
	}
	return unmarshal(t, res.Properties)
}

func (p *Provider) Delete(t *testing.T, r Live) {
	t.Helper()
	if _, err := p.Client.Delete(t.Context(), &pulumirpc.DeleteRequest{Id: r.ID, Urn: r.URN, Properties: p.marshal(t, r.State)}); err != nil {
		t.Fatalf("delete %s: %v", r.URN, err)
	}
}

func Want(t *testing.T, state resource.PropertyMap, key string, value resource.PropertyValue) {
	t.Helper()
	if got := state[resource.PropertyKey(key)]; !got.DeepEquals(value) {
		t.Errorf("%s = %v, want %v", key, got, value)
	}
}

// Invoke calls a function of the provider (a data source), as the engine does for an invoke.
func (p *Provider) Invoke(t *testing.T, token string, args resource.PropertyMap) resource.PropertyMap {
	t.Helper()
	res, err := p.Client.Invoke(t.Context(), &pulumirpc.InvokeRequest{Tok: token, Args: p.marshal(t, args)})
	if err != nil {
		t.Fatalf("invoke %s: %v", token, err)
	}
	if len(res.Failures) > 0 {
		t.Fatalf("invoke %s: %v", token, res.Failures)
	}
	return unmarshal(t, res.Return)
}

// Diff checks new inputs for a live resource and answers whether the engine would update it or
// replace it, and which properties force the replacement.
func (p *Provider) Diff(t *testing.T, r Live, inputs resource.PropertyMap) (checked resource.PropertyMap, diff *pulumirpc.DiffResponse) {
	t.Helper()
	typ := string(resource.URN(r.URN).Type())
	check, err := p.Client.Check(t.Context(), &pulumirpc.CheckRequest{Urn: r.URN, Type: typ, Olds: p.marshal(t, r.Inputs), News: p.marshal(t, inputs)})
	if err != nil {
		t.Fatalf("check %s: %v", r.URN, err)
	}
	if len(check.Failures) > 0 {
		t.Fatalf("check %s: %v", r.URN, check.Failures)
	}
	diff, err = p.Client.Diff(t.Context(), &pulumirpc.DiffRequest{Id: r.ID, Urn: r.URN, Type: typ, Olds: p.marshal(t, r.State), OldInputs: p.marshal(t, r.Inputs), News: check.Inputs})
	if err != nil {
		t.Fatalf("diff %s: %v", r.URN, err)
	}
	return unmarshal(t, check.Inputs), diff
}

// Update applies checked inputs (from Diff) to a live resource in place.
func (p *Provider) Update(t *testing.T, r Live, checked resource.PropertyMap) Live {
	t.Helper()
	typ := string(resource.URN(r.URN).Type())
	res, err := p.Client.Update(t.Context(), &pulumirpc.UpdateRequest{Id: r.ID, Urn: r.URN, Type: typ, Olds: p.marshal(t, r.State), OldInputs: p.marshal(t, r.Inputs), News: p.marshal(t, checked)})
	if err != nil {
		t.Fatalf("update %s: %v", r.URN, err)
	}
	return Live{URN: r.URN, ID: r.ID, Inputs: checked, State: unmarshal(t, res.Properties)}
}
