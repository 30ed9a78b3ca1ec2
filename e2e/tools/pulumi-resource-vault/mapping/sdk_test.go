package mapping

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// sdkResource is what the npm SDK's generated JavaScript tells of one resource: its token, the
// properties it sends (inputs) and reads back (outputs), and which of them it keeps secret.
type sdkResource struct {
	token                       string
	inputs, outputs             []string
	secretInputs, secretOutputs []string
}

var (
	pulumiType       = regexp.MustCompile(`__pulumiType = '([^']+)'`)
	resourceInput    = regexp.MustCompile(`resourceInputs\["(\w+)"\] = (.*);`)
	secretOutputList = regexp.MustCompile(`additionalSecretOutputs: \[([^\]]*)\]`)
	quoted           = regexp.MustCompile(`"(\w+)"`)
)

// sdkDir is the npm package in the repository's node_modules, or the test is skipped.
func sdkDir(t *testing.T, pkg string) string {
	dir := filepath.Join("..", "..", "..", "..", "node_modules", "@pulumi", pkg)
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		t.Skipf("the npm SDK is not installed (%v): run npm ci in the repository first", err)
	}
	return dir
}

func readSDKResource(t *testing.T, file string) sdkResource {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	token := pulumiType.FindSubmatch(src)
	if token == nil {
		t.Fatalf("%s: no __pulumiType", file)
	}
	r := sdkResource{token: string(token[1])}
	for _, m := range resourceInput.FindAllSubmatch(src, -1) {
		name, value := string(m[1]), string(m[2])
		switch {
		case strings.HasPrefix(value, "state?."):
			r.outputs = append(r.outputs, name)
		case value == "undefined /*out*/":
			// Output only: listed with the state already.
		default:
			r.inputs = append(r.inputs, name)
			if strings.Contains(value, "pulumi.secret(") {
				r.secretInputs = append(r.secretInputs, name)
			}
		}
	}
	if m := secretOutputList.FindSubmatch(src); m != nil {
		for _, q := range quoted.FindAllSubmatch(m[1], -1) {
			r.secretOutputs = append(r.secretOutputs, string(q[1]))
		}
	}
	return r
}

func names(props map[string]pschema.PropertySpec, secretOnly bool) []string {
	var out []string
	for name, p := range props {
		if p.Secret || !secretOnly {
			out = append(out, name)
		}
	}
	return out
}

// sameNames fails unless ours has every name the SDK has and, when exact, no other.
func sameNames(t *testing.T, what string, sdk, ours []string, exact bool) {
	t.Helper()
	missing, extra := minus(sdk, ours), minus(ours, sdk)
	if len(missing) > 0 || exact && len(extra) > 0 {
		t.Errorf("%s differ\n  only in the npm SDK: %v\n  only in ours:        %v", what, missing, extra)
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkResource asserts that the schema has the SDK's resource, with its property names and the
// same ones secret; exact forbids properties that the SDK does not have.
func checkResource(t *testing.T, spec pschema.PackageSpec, sdk sdkResource, exact bool) {
	t.Helper()
	res, ok := spec.Resources[sdk.token]
	if !ok {
		t.Errorf("no resource is mapped to %s", sdk.token)
		return
	}
	sameNames(t, sdk.token+" inputs", sdk.inputs, names(res.InputProperties, false), exact)
	sameNames(t, sdk.token+" outputs", sdk.outputs, names(res.Properties, false), exact)
	sameNames(t, sdk.token+" secret inputs", sdk.secretInputs, names(res.InputProperties, true), exact)
	sameNames(t, sdk.token+" secret outputs", sdk.secretOutputs, names(res.Properties, true), exact)
}
