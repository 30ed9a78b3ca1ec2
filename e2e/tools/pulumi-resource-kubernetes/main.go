// pulumi-resource-kubernetes serves the provider with the schema and Terraform mapping that its
// module ships. The upstream main embeds generated copies of them that the module zip leaves out;
// prepare.sh copies the shipped files next to this one before the build.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
