// Package test checks the built providers as the Pulumi engine and the npm SDKs see them.
package test

import (
	"ffnodes.e2e/tools/bridged-providers/cloudflare"
	"ffnodes.e2e/tools/bridged-providers/random"
	"ffnodes.e2e/tools/bridged-providers/tls"
	"ffnodes.e2e/tools/bridged-providers/vault"
)

// bridgedProvider is one provider of this module and what ffnodes uses of it.
type bridgedProvider struct {
	// The Pulumi package: its binary is pulumi-resource-<pkg>, its npm SDK @pulumi/<pkg>.
	pkg string
	// The package schema that the binary serves, given its version.
	schema func(version string) ([]byte, error)
	// The tokens of the resources that ffnodes uses (src/components), and the npm SDK's
	// modules that register them.
	used, sdkModules []string
}

var bridgedProviders = []bridgedProvider{
	{
		pkg:        "vault",
		schema:     func(version string) ([]byte, error) { return vault.Schema(vault.Provider(version)) },
		used:       []string{mountType, policyType, authBackendRoleType, secretV2Type},
		sdkModules: []string{"mount.js", "policy.js", "kubernetes/authBackendRole.js", "kv/secretV2.js"},
	},
	{
		pkg:        "random",
		schema:     func(version string) ([]byte, error) { return random.Schema(random.Provider(version)) },
		used:       []string{randomStringType, randomPasswordType},
		sdkModules: []string{"randomString.js", "randomPassword.js"},
	},
	{
		pkg:        "cloudflare",
		schema:     func(version string) ([]byte, error) { return cloudflare.Schema(cloudflare.Provider(version)) },
		used:       []string{dnsRecordType, originCaCertificateType},
		sdkModules: []string{"dnsRecord.js", "originCaCertificate.js"},
	},
	{
		pkg:        "tls",
		schema:     func(version string) ([]byte, error) { return tls.Schema(tls.Provider(version)) },
		used:       []string{privateKeyType, certRequestType},
		sdkModules: []string{"privateKey.js", "certRequest.js"},
	},
}
