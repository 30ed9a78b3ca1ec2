package test

import (
	"testing"

	"google.golang.org/protobuf/types/known/emptypb"

	"ffnodes.e2e/tools/bridged-providers/providertest"
)

func TestServesPluginInfoAndSchema(t *testing.T) {
	for _, p := range bridgedProviders {
		t.Run(p.pkg, func(t *testing.T) {
			info, err := providertest.Start(t, p.pkg).Client.GetPluginInfo(t.Context(), &emptypb.Empty{})
			if err != nil {
				t.Fatal(err)
			}
			if want := providertest.BuiltVersion(t, p.pkg); info.Version != want {
				t.Errorf("version %q, want %q", info.Version, want)
			}

			schema := p.schemaSpec(t)
			if schema.Name != p.pkg {
				t.Errorf("schema of %q, want %s", schema.Name, p.pkg)
			}
			for _, token := range p.used {
				if _, ok := schema.Resources[token]; !ok {
					t.Errorf("the schema has no resource %s", token)
				}
			}
			for _, token := range p.usedFunctions {
				if _, ok := schema.Functions[token]; !ok {
					t.Errorf("the schema has no function %s", token)
				}
			}
		})
	}
}
