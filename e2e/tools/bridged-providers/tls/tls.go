// Package tls tells the Pulumi Terraform bridge how the TLS provider appears in Pulumi: under the
// tokens and property names of the @pulumi/tls npm SDK.
package tls

import (
	"github.com/hashicorp/terraform-provider-tls/shim"
	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	"ffnodes.e2e/tools/bridged-providers/pfschema"
)

func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pftfbridge.ShimProvider(shim.NewProvider()),
		Name:         "tls",
		Version:      version,
		GitHubOrg:    "hashicorp",
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
	}
	info.MustComputeTokens(tokens.SingleModule("tls_", "index", tokens.MakeStandard("tls")))
	return info
}

// Schema is the Pulumi package schema of the provider, with the Terraform schema's descriptions
// standing in for the upstream docs.
func Schema(info tfbridge.ProviderInfo) ([]byte, error) { return pfschema.Generate(info) }
