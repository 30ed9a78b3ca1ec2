// pulumi-resource-vault serves the Terraform Vault provider through the Pulumi Terraform bridge, as
// a drop-in for the provider that @pulumi/vault loads.
package main

import (
	"log"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	"ffnodes.e2e/tools/bridged-providers/vault"
)

// Set by the build (see ../../targets).
var version string

func main() {
	info := vault.Provider(version)
	// Generated at start rather than at build time, so that the module builds and tests as it is.
	schema, err := vault.Schema(info)
	if err != nil {
		log.Fatalf("generating the schema: %v", err)
	}
	tfbridge.Main("vault", version, info, schema)
}
