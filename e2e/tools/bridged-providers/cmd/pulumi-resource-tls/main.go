// pulumi-resource-tls serves the Terraform TLS provider through the Pulumi Terraform bridge (its
// plugin-framework flavour), as a drop-in for the provider that @pulumi/tls loads.
package main

import (
	"ffnodes.e2e/tools/bridged-providers/pfprovider"
	"ffnodes.e2e/tools/bridged-providers/tls"
)

// Set by the build (see ../../targets).
var version string

func main() { pfprovider.Main(tls.Provider(version)) }
