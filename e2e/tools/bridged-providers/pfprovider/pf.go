// Package pfprovider serves a plugin-framework provider through the Pulumi Terraform bridge.
package pfprovider

import (
	"context"
	"io"
	"log"

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
)

// Schema is the provider's Pulumi package schema, with the Terraform schema's descriptions
// standing in for the upstream docs.
func Schema(info tfbridge.ProviderInfo) ([]byte, error) {
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

// Main serves the provider as a Pulumi plugin, its schema generated at start rather than at build
// time, so that the module builds and tests as it is.
func Main(info tfbridge.ProviderInfo) {
	schema, err := Schema(info)
	if err != nil {
		log.Fatalf("generating the schema: %v", err)
	}
	pftfbridge.Main(context.Background(), info.Name, info, pftfbridge.ProviderMetadata{PackageSchema: schema})
}
