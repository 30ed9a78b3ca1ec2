package test

import (
	"encoding/json"
	"testing"

	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"ffnodes.e2e/tools/bridged-providers/npmsdk"
	"ffnodes.e2e/tools/bridged-providers/providertest"
)

// schemaSpec is the package schema that the built binary serves, as the engine asks for it.
func (p bridgedProvider) schemaSpec(t *testing.T) pschema.PackageSpec {
	t.Helper()
	res, err := providertest.Start(t, p.pkg).Client.GetSchema(t.Context(), &pulumirpc.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var spec pschema.PackageSpec
	if err := json.Unmarshal([]byte(res.Schema), &spec); err != nil {
		t.Fatalf("the schema %s serves: %v", p.pkg, err)
	}
	return spec
}

// The resources ffnodes uses and the provider's configuration are what the npm SDK registers:
// the same tokens, the same property names, the same ones secret. The binary has the version of
// the plugin that the SDK asks the engine for.
func TestMatchesNpmSDK(t *testing.T) {
	for _, p := range bridgedProviders {
		t.Run(p.pkg, func(t *testing.T) {
			dir := npmsdk.Dir(t, p.pkg)
			if built, asked := providertest.BuiltVersion(t, p.pkg), npmsdk.PluginVersion(t, dir); built != asked {
				t.Errorf("targets builds version %s, the SDK asks for %s", built, asked)
			}
			npmsdk.CheckExact(t, p.schemaSpec(t), dir, p.sdkModules)
		})
	}
}

// Every other resource and function of the SDK is there too, with at least the SDK's properties.
func TestCoversNpmSDK(t *testing.T) {
	for _, p := range bridgedProviders {
		t.Run(p.pkg, func(t *testing.T) {
			npmsdk.CheckCovered(t, p.schemaSpec(t), npmsdk.Dir(t, p.pkg))
		})
	}
}
