// pulumi-resource-random serves the Terraform random provider through the Pulumi Terraform bridge (its
// plugin-framework flavour), as a drop-in for the provider that @pulumi/random loads.
package main

import (
	"ffnodes.e2e/tools/bridged-providers/pfprovider"
	"ffnodes.e2e/tools/bridged-providers/random"
)

// Set by the build (see ../../targets).
var version string

func main() { pfprovider.Main(random.Provider(version)) }
