package mapping

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func schema(t *testing.T) pschema.PackageSpec {
	t.Helper()
	bytes, err := Schema(Provider("7.8.0"))
	if err != nil {
		t.Fatal(err)
	}
	var spec pschema.PackageSpec
	if err := json.Unmarshal(bytes, &spec); err != nil {
		t.Fatal(err)
	}
	return spec
}

// The resources ffnodes uses (src/components/vault.ts) and the provider's configuration are what
// @pulumi/vault registers: the same tokens, the same property names, the same ones secret.
func TestMatchesNpmSDK(t *testing.T) {
	dir := sdkDir(t, "vault")
	spec := schema(t)
	for _, file := range []string{"mount.js", "policy.js", "kubernetes/authBackendRole.js", "kv/secretV2.js"} {
		checkResource(t, spec, readSDKResource(t, filepath.Join(dir, file)), true)
	}
	provider := readSDKResource(t, filepath.Join(dir, "provider.js"))
	sameNames(t, "provider configuration", provider.inputs, names(spec.Provider.InputProperties, false), true)
}

var invoke = regexp.MustCompile(`invoke(?:Output)?\("([^"]+)"`)

// Every other resource and function of the SDK is there too, with at least the SDK's properties:
// the upstream release may have added some.
func TestCoversNpmSDK(t *testing.T) {
	dir := sdkDir(t, "vault")
	spec := schema(t)
	err := filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".js") || filepath.Base(path) == "provider.js" {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if pulumiType.Match(src) {
			checkResource(t, spec, readSDKResource(t, path), false)
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
}
