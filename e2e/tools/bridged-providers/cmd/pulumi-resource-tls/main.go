// pulumi-resource-tls serves the Terraform TLS provider through the Pulumi Terraform bridge
// (its plugin-framework flavour), as a drop-in for the provider that @pulumi/tls loads.
package main

import (
	"context"
	"log"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"ffnodes.e2e/tools/bridged-providers/tls"
)

// Set by the build (see ../../targets).
var version string

func main() {
	info := tls.Provider(version)
	// Generated at start rather than at build time, so that the module builds and tests as it is.
	schema, err := tls.Schema(info)
	if err != nil {
		log.Fatalf("generating the schema: %v", err)
	}
	pftfbridge.Main(context.Background(), "tls", info, pftfbridge.ProviderMetadata{PackageSchema: schema})
}
