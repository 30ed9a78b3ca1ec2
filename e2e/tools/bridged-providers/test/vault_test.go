package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"ffnodes.e2e/tools/bridged-providers/providertest"
)

const (
	mountType           = "vault:index/mount:Mount"
	policyType          = "vault:index/policy:Policy"
	authBackendRoleType = "vault:kubernetes/authBackendRole:AuthBackendRole"
	secretV2Type        = "vault:kv/secretV2:SecretV2"
	rootToken           = "root"
)

// startVault starts a dev server on a free local port; it is stopped when the test ends.
func startVault(t *testing.T, bin string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	// The start the e2e control plane uses too (e2e/env.ts); the script execs vault, so cmd's
	// process is the server's.
	cmd := exec.Command("../../vault-dev-server.sh", bin, addr, rootToken, t.TempDir())
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("vault's output:\n%s", output.String())
		}
	})

	url := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if res, err := http.Get(url + "/v1/sys/health"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("vault did not come up on %s", addr)
		}
	}
}

// vaultAPI calls Vault's HTTP API as root and returns the status and the decoded body, if any.
func vaultAPI(t *testing.T, url, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var in bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&in).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url+"/v1/"+path, &in)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Vault-Token", rootToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func list(values ...string) resource.PropertyValue {
	return resource.NewPropertyValue(values)
}

// The resources ffnodes creates, with the inputs it gives them (src/components/vault.ts), go
// through the engine's calls against a real Vault: the default provider configured from
// vault:address and vault:token, then check, create, read and delete.
func TestAgainstVault(t *testing.T) {
	bin := os.Getenv("VAULT_BIN")
	if bin == "" {
		t.Skip("VAULT_BIN is not set: point it at a vault binary (e2e/tools/build.sh vault) to run this test")
	}
	url := startVault(t, bin)
	client := providertest.Start(t, "vault")

	client.Configure(t, "vault", resource.PropertyMap{
		"address": resource.NewProperty(url),
		"token":   resource.MakeSecret(resource.NewProperty(rootToken)),
	})

	mount := client.Create(t, mountType, "vault-mount", resource.PropertyMap{
		"path":        resource.NewProperty("e2e-kv"),
		"type":        resource.NewProperty("kv"),
		"options":     resource.NewProperty(resource.PropertyMap{"version": resource.NewProperty("2")}),
		"description": resource.NewProperty("ffnodes: secrets of e2e"),
	})
	state := client.Read(t, mount)
	providertest.Want(t, state, "path", resource.NewProperty("e2e-kv"))
	providertest.Want(t, state, "options", resource.NewProperty(resource.PropertyMap{"version": resource.NewProperty("2")}))
	if !state["accessor"].IsString() || state["accessor"].StringValue() == "" {
		t.Errorf("accessor = %v, want the mount's accessor", state["accessor"])
	}

	hcl := "path \"e2e-kv/data/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
	policy := client.Create(t, policyType, "vault-policy-app-read", resource.PropertyMap{
		"name":   resource.NewProperty("e2e-app-read"),
		"policy": resource.NewProperty(hcl),
	})
	providertest.Want(t, client.Read(t, policy), "policy", resource.NewProperty(hcl))

	if status, body := vaultAPI(t, url, http.MethodPost, "sys/auth/kubernetes", map[string]string{"type": "kubernetes"}); status != http.StatusNoContent {
		t.Fatalf("enable kubernetes auth: %d %v", status, body)
	}
	role := client.Create(t, authBackendRoleType, "vault-auth-role", resource.PropertyMap{
		"backend":                       resource.NewProperty("kubernetes"),
		"roleName":                      resource.NewProperty("e2e"),
		"boundServiceAccountNames":      list("app", "vault-secrets-operator"),
		"boundServiceAccountNamespaces": list("e2e"),
		"audience":                      resource.NewProperty("vault"),
		"tokenTtl":                      resource.NewProperty(3600.0),
		"tokenPolicies":                 list("e2e-app-read"),
	})
	state = client.Read(t, role)
	providertest.Want(t, state, "tokenTtl", resource.NewProperty(3600.0))
	providertest.Want(t, state, "tokenPolicies", list("e2e-app-read"))

	data := `{"postgresql_password":"s3cret","postgresql_username":"postgresql_abc"}`
	secret := client.Create(t, secretV2Type, "vault-credentials", resource.PropertyMap{
		"mount":       resource.NewProperty("e2e-kv"),
		"name":        resource.NewProperty("application"),
		"dataJson":    resource.MakeSecret(resource.NewProperty(data)),
		"disableRead": resource.NewProperty(true),
	})
	if got := secret.State["dataJson"]; !got.IsSecret() {
		t.Errorf("dataJson = %v, want a secret", got)
	}
	status, body := vaultAPI(t, url, http.MethodGet, "e2e-kv/data/application", nil)
	stored, _ := body["data"].(map[string]any)
	if got := fmt.Sprint(stored["data"]); status != http.StatusOK || got != "map[postgresql_password:s3cret postgresql_username:postgresql_abc]" {
		t.Errorf("vault holds %s (status %d)", got, status)
	}
	providertest.Want(t, client.Read(t, secret), "path", resource.NewProperty("e2e-kv/data/application"))

	client.Delete(t, secret)
	// Without deleteAllVersions, delete removes the current version and keeps the metadata.
	if status, _ := vaultAPI(t, url, http.MethodGet, "e2e-kv/data/application", nil); status != http.StatusNotFound {
		t.Errorf("the secret after delete: status %d, want 404", status)
	}
	client.Delete(t, role)
	client.Delete(t, policy)
	client.Delete(t, mount)
	if status, _ := vaultAPI(t, url, http.MethodGet, "sys/mounts/e2e-kv", nil); status != http.StatusBadRequest {
		t.Errorf("the mount after delete: status %d, want 400", status)
	}
}
