// Package npmsdk compares a bridged provider's Pulumi schema with what the npm SDK of the package
// (@pulumi/<package> in the repository's node_modules) registers, read from its generated
// JavaScript.
package npmsdk

import (
	"encoding/json"
	"io/fs"
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
	invoke           = regexp.MustCompile(`invoke(?:Output)?\("([^"]+)"`)
	// A class the SDK keeps under an older name (cloudflare.Record for DnsRecord), from the
	// bridge's aliases: "... has been deprecated in favor of cloudflare.index/dnsrecord.DnsRecord".
	deprecatedInFavorOf = regexp.MustCompile(`has been deprecated in favor of (\w+)\.(\w+)/(\w+)\.(\w+)`)
)

// Dir is the npm package @pulumi/<pkg> in the nearest node_modules above the working directory,
// or the test is skipped.
func Dir(t *testing.T, pkg string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		sdk := filepath.Join(dir, "node_modules", "@pulumi", pkg)
		if _, err := os.Stat(filepath.Join(sdk, "package.json")); err == nil {
			return sdk
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("no node_modules above the working directory holds @pulumi/%s: run npm ci in the repository first", pkg)
		}
		dir = parent
	}
}

// PluginVersion is the version of the provider plugin that the SDK asks the engine for.
func PluginVersion(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Pulumi struct{ Version string }
	}
	if err := json.Unmarshal(src, &manifest); err != nil {
		t.Fatalf("%s/package.json: %v", dir, err)
	}
	if manifest.Pulumi.Version == "" {
		t.Fatalf("%s/package.json names no pulumi.version", dir)
	}
	return manifest.Pulumi.Version
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

// CheckExact asserts that the resources of the SDK's modules (paths in dir, such as
// "kv/secretV2.js") and the provider's configuration are in the schema as the SDK registers them:
// the same tokens, the same property names, the same ones secret.
func CheckExact(t *testing.T, spec pschema.PackageSpec, dir string, modules []string) {
	t.Helper()
	for _, module := range modules {
		checkResource(t, spec, readSDKResource(t, filepath.Join(dir, module)), true)
	}
	provider := readSDKResource(t, filepath.Join(dir, "provider.js"))
	sameNames(t, "provider configuration", provider.inputs, names(spec.Provider.InputProperties, false), true)
}

// checkReplacement asserts that the schema has the resource that replaces a deprecated one the
// SDK still declares under its older name.
func checkReplacement(t *testing.T, spec pschema.PackageSpec, deprecated, pkg, module, lowerName, class string) {
	t.Helper()
	for token := range spec.Resources {
		parts := strings.Split(token, ":")
		if len(parts) == 3 && parts[0] == pkg && parts[2] == class && strings.EqualFold(parts[1], module+"/"+lowerName) {
			return
		}
	}
	t.Errorf("%s is deprecated in favor of %s.%s/%s.%s, which no resource is mapped to", deprecated, pkg, module, lowerName, class)
}

// CheckCovered asserts that every resource and function of the SDK is in the schema, with at
// least the SDK's properties: the upstream release may have added some. A class the SDK keeps
// under an older name only needs the resource that replaces it.
func CheckCovered(t *testing.T, spec pschema.PackageSpec, dir string) {
	t.Helper()
	resources := 0
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".js") || filepath.Base(path) == "provider.js" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if pulumiType.Match(src) {
			resources++
			sdk := readSDKResource(t, path)
			_, mapped := spec.Resources[sdk.token]
			if m := deprecatedInFavorOf.FindSubmatch(src); m != nil && !mapped {
				checkReplacement(t, spec, sdk.token, string(m[1]), string(m[2]), string(m[3]), string(m[4]))
			} else {
				checkResource(t, spec, sdk, false)
			}
		}
		for _, m := range invoke.FindAllSubmatch(src, -1) {
			if _, ok := spec.Functions[string(m[1])]; !ok {
				t.Errorf("no function is mapped to %s", m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if resources == 0 {
		t.Errorf("%s declares no resource: not an SDK generated by Pulumi's codegen", dir)
	}
}
