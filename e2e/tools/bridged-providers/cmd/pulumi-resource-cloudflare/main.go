// pulumi-resource-cloudflare serves the Terraform Cloudflare provider through the Pulumi Terraform bridge
// (its plugin-framework flavour), as a drop-in for the provider that @pulumi/cloudflare loads.
package main

import (
	"context"
	"log"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"ffnodes.e2e/tools/bridged-providers/cloudflare"
)

// Set by the build (see ../../targets).
var version string

func main() {
	info := cloudflare.Provider(version)
	// Generated at start rather than at build time, so that the module builds and tests as it is.
	schema, err := cloudflare.Schema(info)
	if err != nil {
		log.Fatalf("generating the schema: %v", err)
	}
	pftfbridge.Main(context.Background(), "cloudflare", info, pftfbridge.ProviderMetadata{PackageSchema: schema})
}
