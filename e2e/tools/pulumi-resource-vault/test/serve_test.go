package test

import (
	"encoding/json"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

const tool = "pulumi-resource-vault"

func TestServesPluginInfoAndSchema(t *testing.T) {
	client := startProvider(t)
	info, err := client.GetPluginInfo(t.Context(), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if want := builtVersion(t); info.Version != want {
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
	if schema.Name != "vault" {
		t.Errorf("schema of %q, want vault", schema.Name)
	}
	for _, token := range []string{mountType, policyType, authBackendRoleType, secretV2Type} {
		if _, ok := schema.Resources[token]; !ok {
			t.Errorf("the schema has no %s", token)
		}
	}
}
