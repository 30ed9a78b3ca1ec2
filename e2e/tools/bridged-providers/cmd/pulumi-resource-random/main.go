// pulumi-resource-random serves the Terraform random provider through the Pulumi Terraform bridge
// (its plugin-framework flavour), as a drop-in for the provider that @pulumi/random loads.
package main

import (
	"context"
	"log"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"ffnodes.e2e/tools/bridged-providers/random"
)

// Set by the build (see ../../targets).
var version string

func main() {
	info := random.Provider(version)
	// Generated at start rather than at build time, so that the module builds and tests as it is.
	schema, err := random.Schema(info)
	if err != nil {
		log.Fatalf("generating the schema: %v", err)
	}
	pftfbridge.Main(context.Background(), "random", info, pftfbridge.ProviderMetadata{PackageSchema: schema})
}
