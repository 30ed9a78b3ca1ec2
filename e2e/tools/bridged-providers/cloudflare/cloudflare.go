// Package cloudflare tells the Pulumi Terraform bridge how the Cloudflare provider appears in
// Pulumi: under the tokens and property names of the @pulumi/cloudflare npm SDK.
package cloudflare

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cloudflare/terraform-provider-cloudflare/shim"
	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	tfshim "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pftfbridge.ShimProvider(shim.NewProvider(version)),
		Name:         "cloudflare",
		Version:      version,
		GitHubOrg:    "cloudflare",
		MetadataInfo: tfbridge.NewProviderMetadata(nil),
		// The SDK keeps these secret whatever the schema says.
		Config: map[string]*tfbridge.SchemaInfo{
			"api_token":            {Secret: tfbridge.True()},
			"api_key":              {Secret: tfbridge.True()},
			"api_user_service_key": {Secret: tfbridge.True()},
		},
	}
	info.MustComputeTokens(tokens.SingleModule("cloudflare_", "index", tokens.MakeStandard("cloudflare")))
	mapIDs(info)
	return info
}

// mapIDs gives a Pulumi id to the resources whose Terraform "id" cannot be one: an "id" that is
// an input, which the SDK names <resource>Id (imageId, aiGatewayId, ...), and an "id" that is a
// number (logpush_job, ...), which becomes its decimal string.
func mapIDs(info tfbridge.ProviderInfo) {
	info.P.ResourcesMap().Range(func(name string, r tfshim.Resource) bool {
		id, ok := r.Schema().GetOk("id")
		if !ok {
			return true
		}
		res := info.Resources[name]
		switch {
		case id.Optional() || id.Required():
			member := res.Tok.Name().String()
			field := strings.ToLower(member[:1]) + member[1:] + "Id"
			res.Fields = map[string]*tfbridge.SchemaInfo{"id": {Name: field}}
			res.ComputeID = idOf(resource.PropertyKey(field))
		case id.Type() != tfshim.TypeString:
			res.ComputeID = idOf("id")
		}
		return true
	})
}

func idOf(field resource.PropertyKey) tfbridge.ComputeID {
	return func(_ context.Context, state resource.PropertyMap) (resource.ID, error) {
		switch v := state[field]; {
		case v.IsString() && v.StringValue() != "":
			return resource.ID(v.StringValue()), nil
		case v.IsNumber():
			return resource.ID(strconv.FormatFloat(v.NumberValue(), 'f', -1, 64)), nil
		default:
			return "", fmt.Errorf("the resource's %s is %v, not an id", field, v)
		}
	}
}
