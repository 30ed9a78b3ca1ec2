package test

import (
	"regexp"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"ffnodes.e2e/tools/bridged-providers/providertest"
)

const (
	randomStringType   = "random:index/randomString:RandomString"
	randomPasswordType = "random:index/randomPassword:RandomPassword"
)

// The generated database credentials of src/components/vault.ts go through the engine's calls:
// check, create, read and delete.
func TestGeneratesCredentials(t *testing.T) {
	client := providertest.Start(t, "random")
	client.Configure(t, "random", nil)

	user := client.Create(t, randomStringType, "vault-postgresql-username", resource.PropertyMap{
		"length":  resource.NewProperty(8.0),
		"upper":   resource.NewProperty(false),
		"special": resource.NewProperty(false),
	})
	result := user.State["result"]
	if !result.IsString() || !regexp.MustCompile(`^[a-z0-9]{8}$`).MatchString(result.StringValue()) {
		t.Errorf("username %v, want 8 lower-case letters and digits", result)
	}
	providertest.Want(t, client.Read(t, user), "result", result)

	password := client.Create(t, randomPasswordType, "vault-postgresql-password", resource.PropertyMap{
		"length":  resource.NewProperty(32.0),
		"special": resource.NewProperty(false),
	})
	result = password.State["result"]
	if !result.IsSecret() {
		t.Fatalf("password %v, want a secret", result)
	}
	if !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(result.SecretValue().Element.StringValue()) {
		t.Errorf("password of %d characters, want 32 letters and digits", len(result.SecretValue().Element.StringValue()))
	}
	providertest.Want(t, client.Read(t, password), "result", result)

	client.Delete(t, password)
	client.Delete(t, user)
}
