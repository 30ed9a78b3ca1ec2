// pulumi-resource-cloudflare serves the Terraform Cloudflare provider through the Pulumi Terraform bridge (its
// plugin-framework flavour), as a drop-in for the provider that @pulumi/cloudflare loads.
package main

import (
	"ffnodes.e2e/tools/bridged-providers/cloudflare"
	"ffnodes.e2e/tools/bridged-providers/pfprovider"
)

// Set by the build (see ../../targets).
var version string

func main() { pfprovider.Main(cloudflare.Provider(version)) }
