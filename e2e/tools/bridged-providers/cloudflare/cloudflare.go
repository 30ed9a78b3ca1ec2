// Package cloudflare tells the Pulumi Terraform bridge how the Cloudflare provider appears in
// Pulumi: under the tokens and property names of the @pulumi/cloudflare npm SDK.
package cloudflare

import (
	"github.com/cloudflare/terraform-provider-cloudflare/shim"
	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	"ffnodes.e2e/tools/bridged-providers/pfschema"
)

func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pftfbridge.ShimProvider(shim.NewProvider(version)),
		Name:         "cloudflare",
		Version:      version,
		GitHubOrg:    "cloudflare",
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
		// The SDK keeps these secret whatever the schema says.
		Config: map[string]*tfbridge.SchemaInfo{
			"api_token":            {Secret: tfbridge.True()},
			"api_key":              {Secret: tfbridge.True()},
			"api_user_service_key": {Secret: tfbridge.True()},
		},
	}
	info.MustComputeTokens(tokens.SingleModule("cloudflare_", "index", tokens.MakeStandard("cloudflare")))
	return info
}

// Schema is the Pulumi package schema of the provider, with the Terraform schema's descriptions
// standing in for the upstream docs.
func Schema(info tfbridge.ProviderInfo) ([]byte, error) { return pfschema.Generate(info) }
