package test

import (
	"encoding/json"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"ffnodes.e2e/tools/bridged-providers/providertest"
)

func TestServesPluginInfoAndSchema(t *testing.T) {
	for _, p := range bridgedProviders {
		t.Run(p.pkg, func(t *testing.T) {
			client := providertest.Start(t, p.pkg).Client
			info, err := client.GetPluginInfo(t.Context(), &emptypb.Empty{})
			if err != nil {
				t.Fatal(err)
			}
			if want := providertest.BuiltVersion(t, p.pkg); info.Version != want {
				t.Errorf("version %q, want %q", info.Version, want)
			}

			res, err := client.GetSchema(t.Context(), &pulumirpc.GetSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var schema struct {
				Name      string
				Resources map[string]json.RawMessage
			}
			if err := json.Unmarshal([]byte(res.Schema), &schema); err != nil {
				t.Fatalf("schema: %v", err)
			}
			if schema.Name != p.pkg {
				t.Errorf("schema of %q, want %s", schema.Name, p.pkg)
			}
			for _, token := range p.used {
				if _, ok := schema.Resources[token]; !ok {
					t.Errorf("the schema has no %s", token)
				}
			}
		})
	}
}
