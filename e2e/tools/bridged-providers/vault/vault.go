// Package vault tells the Pulumi Terraform bridge how the Vault provider appears in Pulumi: under
// the tokens and property names of the @pulumi/vault npm SDK.
package vault

import (
	"encoding/json"
	"io"
	"maps"

	tfvault "github.com/hashicorp/terraform-provider-vault/vault"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
)

// The SDK's modules by the prefix their Terraform names take after vault_; the rest is in index.
var modules = map[string]string{
	"ad_":              "ad",
	"alicloud_":        "alicloud",
	"approle_":         "appRole",
	"aws_":             "aws",
	"azure_":           "azure",
	"config_":          "config",
	"consul_":          "consul",
	"database_":        "database",
	"gcp_":             "gcp",
	"generic_":         "generic",
	"github_":          "github",
	"identity_":        "identity",
	"jwt_":             "jwt",
	"kmip_":            "kmip",
	"kubernetes_":      "kubernetes",
	"kv_":              "kv",
	"ldap_":            "ldap",
	"managed_":         "managed",
	"mongodbatlas_":    "mongodbatlas",
	"okta_":            "okta",
	"pki_":             "pkiSecret",
	"rabbitmq_":        "rabbitMq",
	"saml_":            "saml",
	"secrets_":         "secrets",
	"ssh_":             "ssh",
	"terraform_cloud_": "terraformcloud",
	"token_":           "tokenauth",
	"transform_":       "transform",
	"transit_":         "transit",
}

func Provider(version string) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		// Upstream muxes this SDKv2 provider with a plugin-framework one, which holds ephemeral
		// resources and some of the newest: @pulumi/vault 7.8.0 has none of them.
		P:         shimv2.NewProvider(tfvault.Provider()),
		Name:      "vault",
		Version:   version,
		GitHubOrg: "hashicorp",
		Resources: map[string]*tfbridge.ResourceInfo{
			// The resources ffnodes uses, whose tokens must stay the SDK's whatever the rule does.
			"vault_mount":                        {Tok: "vault:index/mount:Mount"},
			"vault_policy":                       {Tok: "vault:index/policy:Policy"},
			"vault_kubernetes_auth_backend_role": {Tok: "vault:kubernetes/authBackendRole:AuthBackendRole"},
			"vault_kv_secret_v2":                 {Tok: "vault:kv/secretV2:SecretV2"},

			// Those that the SDK names off the rule.
			"vault_azure_secret_backend":                {Tok: "vault:azure/backend:Backend"},
			"vault_azure_secret_backend_role":           {Tok: "vault:azure/backendRole:BackendRole"},
			"vault_identity_oidc_key_allowed_client_id": {Tok: "vault:identity/oidcKeyAllowedClientID:OidcKeyAllowedClientID"},
			"vault_pki_secret_backend_acme_eab":         {Tok: "vault:pkiSecret/backendAcmeEab:BackendAcmeEab"},
			"vault_pki_secret_backend_config_acme":      {Tok: "vault:pkiSecret/backendConfigAcme:BackendConfigAcme"},
			"vault_pki_secret_backend_config_auto_tidy": {Tok: "vault:pkiSecret/backendConfigAutoTidy:BackendConfigAutoTidy"},
			"vault_pki_secret_backend_config_cluster":   {Tok: "vault:pkiSecret/backendConfigCluster:BackendConfigCluster"},
			"vault_pki_secret_backend_config_cmpv2":     {Tok: "vault:pkiSecret/backendConfigCmpv2:BackendConfigCmpv2"},
			"vault_pki_secret_backend_config_est":       {Tok: "vault:pkiSecret/backendConfigEst:BackendConfigEst"},
			"vault_pki_secret_backend_config_scep":      {Tok: "vault:pkiSecret/backendConfigScep:BackendConfigScep"},

			// The SDK's name for a field, where it is not the one the bridge derives (ous).
			"vault_pki_secret_backend_role": {Fields: map[string]*tfbridge.SchemaInfo{"ou": {Name: "organizationUnit"}}},
		},
	}
	standard := tokens.MakeStandard("vault")
	// The SDK's PKI resources keep "secret" in their names (pkiSecret/secretBackendCert), its PKI
	// functions drop it (pkiSecret/getBackendIssuer).
	functions := maps.Clone(modules)
	delete(functions, "pki_")
	functions["pki_secret_"] = "pkiSecret"
	info.MustComputeTokens(tokens.Strategy{
		Resource:   tokens.MappedModules("vault_", "index", modules, standard).Resource,
		DataSource: tokens.MappedModules("vault_", "index", functions, standard).DataSource,
	})
	return info
}

// Schema is the Pulumi package schema of the provider, with the Terraform schema's descriptions
// standing in for the upstream docs.
func Schema(info tfbridge.ProviderInfo) ([]byte, error) {
	res, err := tfgen.GenerateSchemaWithOptions(tfgen.GenerateSchemaOptions{
		ProviderInfo:    info,
		DiagnosticsSink: diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never}),
		XInMemoryDocs:   true,
	})
	if err != nil {
		return nil, err
	}
	return json.Marshal(res.PackageSpec)
}
