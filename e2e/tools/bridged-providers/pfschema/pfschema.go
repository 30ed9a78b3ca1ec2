// Package pfschema generates the Pulumi package schema of a plugin-framework provider.
package pfschema

import (
	"context"
	"io"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
)

// Generate is the provider's package schema, with the Terraform schema's descriptions standing in
// for the upstream docs.
func Generate(info tfbridge.ProviderInfo) ([]byte, error) {
	res, err := pftfgen.GenerateSchema(context.Background(), pftfgen.GenerateSchemaOptions{
		ProviderInfo:    info,
		DiagnosticsSink: diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never}),
		XInMemoryDocs:   true,
	})
	if err != nil {
		return nil, err
	}
	return res.ProviderMetadata.PackageSchema, nil
}
