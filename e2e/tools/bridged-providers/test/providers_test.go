// Package test checks the built providers as the Pulumi engine and the npm SDKs see them.
package test

// bridgedProvider is one provider of this module and what ffnodes uses of it.
type bridgedProvider struct {
	// The Pulumi package: its binary is pulumi-resource-<pkg>, its npm SDK @pulumi/<pkg>.
	pkg string
	// The tokens of the resources that ffnodes uses (src/components), and the npm SDK's
	// modules that register them.
	used, sdkModules []string
	// The tokens of the functions that ffnodes calls.
	usedFunctions []string
}

var bridgedProviders = []bridgedProvider{
	{
		pkg:        "vault",
		used:       []string{mountType, policyType, authBackendRoleType, secretV2Type},
		sdkModules: []string{"mount.js", "policy.js", "kubernetes/authBackendRole.js", "kv/secretV2.js"},
	},
	{
		pkg:        "random",
		used:       []string{randomStringType, randomPasswordType},
		sdkModules: []string{"randomString.js", "randomPassword.js"},
	},
	{
		pkg:        "cloudflare",
		used:       []string{dnsRecordType, originCaCertificateType},
		sdkModules: []string{"dnsRecord.js", "originCaCertificate.js"},
		// src/components/dns.ts looks a zone up by name when the customer file gives no id.
		usedFunctions: []string{getZoneFunction},
	},
	{
		pkg:        "tls",
		used:       []string{privateKeyType, certRequestType},
		sdkModules: []string{"privateKey.js", "certRequest.js"},
	},
}
