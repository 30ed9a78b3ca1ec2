package test

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"ffnodes.e2e/tools/bridged-providers/providertest"
)

const (
	dnsRecordType           = "cloudflare:index/dnsRecord:DnsRecord"
	originCaCertificateType = "cloudflare:index/originCaCertificate:OriginCaCertificate"
	getZoneFunction         = "cloudflare:index/getZone:getZone"
	privateKeyType          = "tls:index/privateKey:PrivateKey"
	certRequestType         = "tls:index/certRequest:CertRequest"

	// The provider accepts only tokens of 40 to 80 letters, digits, '-' and '_', as Cloudflare's are.
	cloudflareToken     = "ffnodes-e2e-token-with-read-and-write-rights"
	cloudflareReadToken = "ffnodes-e2e-token-with-read-rights-only-000"
)

// cloudflareDouble is the e2e environment's Cloudflare API double (e2e/tools/cloudflare-api),
// started on a free loopback port; it is stopped when the test ends.
type cloudflareDouble struct{ baseURL, origin string }

func startCloudflareDouble(t *testing.T) cloudflareDouble {
	t.Helper()
	bin := os.Getenv("CLOUDFLARE_API_BIN")
	if bin == "" {
		t.Skip("CLOUDFLARE_API_BIN is not set: point it at the cloudflare-api double (e2e/tools/build.sh cloudflare-api) to run this test")
	}
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--zones", "fitfile.net,fitfile.co.uk")
	cmd.Env = append(os.Environ(), "CLOUDFLARE_API_DOUBLE_TOKEN="+cloudflareToken, "CLOUDFLARE_API_DOUBLE_READ_TOKEN="+cloudflareReadToken)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the double printed no address: %v", err)
	}
	m := regexp.MustCompile(`(http://\S+)(/client/v4)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("the double printed %q", line)
	}
	return cloudflareDouble{baseURL: m[1] + m[2], origin: m[1]}
}

// get calls the double with the read token: the answer's status and body.
func (d cloudflareDouble) get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cloudflareReadToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body
}

// record is the record the double holds, as its API answers.
func (d cloudflareDouble) record(t *testing.T, url string) apiRecord {
	t.Helper()
	status, body := d.get(t, url)
	var r struct{ Result apiRecord }
	if status != http.StatusOK || json.Unmarshal(body, &r) != nil {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	return r.Result
}

type apiRecord struct {
	Name, Type, Content, Comment string
	Proxied                      bool
	TTL                          float64
}

// methods are the HTTP methods the provider sent to the double for paths matching pattern.
func (d cloudflareDouble) methods(t *testing.T, pattern string) []string {
	t.Helper()
	var log []struct{ Method, Path string }
	if status, body := d.get(t, d.origin+"/_double/requests"); status != http.StatusOK || json.Unmarshal(body, &log) != nil {
		t.Fatalf("the double's request log: %d %s", status, body)
	}
	var out []string
	for _, e := range log {
		if regexp.MustCompile(pattern).MatchString(e.Path) {
			out = append(out, e.Method)
		}
	}
	return out
}

// The Cloudflare resources ffnodes creates, with the inputs it gives them (src/components/dns.ts and
// certificates.ts, the key and CSR from the TLS provider), go through the engine's calls against
// the Cloudflare API double: the default provider configured from cloudflare:apiToken and
// cloudflare:baseUrl, then invoke, check, create, read, diff, update and delete. What the double
// holds is read back through its API.
func TestAgainstCloudflareDouble(t *testing.T) {
	api := startCloudflareDouble(t)
	cf := providertest.Start(t, "cloudflare")
	cf.Configure(t, "cloudflare", resource.PropertyMap{
		"apiToken": resource.MakeSecret(resource.NewProperty(cloudflareToken)),
		"baseUrl":  resource.NewProperty(api.baseURL),
	})
	zoneID := func(name string) string {
		zone := cf.Invoke(t, getZoneFunction, resource.PropertyMap{"filter": resource.NewProperty(resource.PropertyMap{"name": resource.NewProperty(name)})})
		providertest.Want(t, zone, "name", resource.NewProperty(name))
		if !zone["id"].IsString() || zone["id"].StringValue() == "" {
			t.Fatalf("zone %s: id %v", name, zone["id"])
		}
		return zone["id"].StringValue()
	}
	net, couk := zoneID("fitfile.net"), zoneID("fitfile.co.uk")
	if net == couk {
		t.Fatalf("both zones have the id %s", net)
	}

	inputs := resource.PropertyMap{
		"zoneId":  resource.NewProperty(net),
		"name":    resource.NewProperty("acme.fitfile.net"),
		"type":    resource.NewProperty("CNAME"),
		"content": resource.NewProperty("ingress.fitfile.net"),
		"proxied": resource.NewProperty(true),
		"ttl":     resource.NewProperty(1.0),
		"comment": resource.NewProperty("ffnodes: acme prod"),
	}
	record := cf.Create(t, dnsRecordType, "dns-acme", inputs)
	recordURL := fmt.Sprintf("%s/zones/%s/dns_records/%s", api.baseURL, net, record.ID)
	if r := api.record(t, recordURL); r.Name != "acme.fitfile.net" || r.Type != "CNAME" || r.Content != "ingress.fitfile.net" || !r.Proxied || r.TTL != 1 || r.Comment != "ffnodes: acme prod" {
		t.Errorf("the double holds %+v", r)
	}
	state := cf.Read(t, record)
	for _, key := range []string{"name", "content", "proxied", "ttl", "comment"} {
		providertest.Want(t, state, key, inputs[resource.PropertyKey(key)])
	}

	// A new comment is an update in place, sent as PUT; a new zone replaces the record.
	changed := inputs.Copy()
	changed["comment"] = resource.NewProperty("ffnodes: acme production")
	checked, diff := cf.Diff(t, record, changed)
	if diff.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(diff.Replaces) > 0 {
		t.Fatalf("a new comment: changes %v, replaces %v; want an update in place", diff.Changes, diff.Replaces)
	}
	record = cf.Update(t, record, checked)
	if r := api.record(t, recordURL); r.Comment != "ffnodes: acme production" {
		t.Errorf("after the update the double holds %+v", r)
	}
	if got := api.methods(t, `/dns_records/`+record.ID+`$`); !slices.Contains(got, http.MethodPut) || slices.Contains(got, http.MethodPatch) {
		t.Errorf("the record's requests were %v, want an update by PUT", got)
	}
	moved := changed.Copy()
	moved["zoneId"] = resource.NewProperty(couk)
	moved["name"] = resource.NewProperty("acme.fitfile.co.uk")
	if _, diff := cf.Diff(t, record, moved); !slices.Contains(diff.Replaces, "zoneId") {
		t.Errorf("a record moved to another zone: replaces %v, want zoneId among them", diff.Replaces)
	}

	cf.Delete(t, record)
	if status, _ := api.get(t, recordURL); status != http.StatusNotFound {
		t.Errorf("the record after delete: status %d, want 404", status)
	}

	tlsProvider := providertest.Start(t, "tls")
	tlsProvider.Configure(t, "tls", nil)
	key := tlsProvider.Create(t, privateKeyType, "certificate-key", resource.PropertyMap{
		"algorithm": resource.NewProperty("RSA"),
		"rsaBits":   resource.NewProperty(2048.0),
	})
	keyPem := key.State["privateKeyPem"]
	if !keyPem.IsSecret() {
		t.Fatalf("privateKeyPem %v, want a secret", keyPem)
	}
	hosts := []string{"acme.fitfile.net", "pgweb.acme.fitfile.net"}
	csr := tlsProvider.Create(t, certRequestType, "certificate-request", resource.PropertyMap{
		"privateKeyPem": keyPem,
		"dnsNames":      list(hosts...),
		"subject":       resource.NewProperty(resource.PropertyMap{"commonName": resource.NewProperty(hosts[0])}),
	})
	csrPem := csr.State["certRequestPem"]
	if !csrPem.IsString() || !strings.Contains(csrPem.StringValue(), "BEGIN CERTIFICATE REQUEST") {
		t.Fatalf("certRequestPem %v", csrPem)
	}

	certInputs := resource.PropertyMap{
		"csr":               csrPem,
		"hostnames":         list(hosts...),
		"requestType":       resource.NewProperty("origin-rsa"),
		"requestedValidity": resource.NewProperty(5475.0),
	}
	cert := cf.Create(t, originCaCertificateType, "certificate", certInputs)
	certPem := cert.State["certificate"]
	if !certPem.IsString() {
		t.Fatalf("certificate %v", certPem)
	}
	block, _ := pem.Decode([]byte(certPem.StringValue()))
	if block == nil {
		t.Fatalf("certificate %q is not PEM", certPem.StringValue())
	}
	issued, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	_, caPem := api.get(t, api.origin+"/_double/origin-ca.pem")
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPem) {
		t.Fatalf("the double's CA %q is not PEM", caPem)
	}
	if _, err := issued.Verify(x509.VerifyOptions{DNSName: hosts[1], Roots: roots}); err != nil {
		t.Errorf("the certificate does not verify for %s against the double's CA: %v", hosts[1], err)
	}
	publicKey := key.State["publicKeyPem"]
	if der, err := x509.MarshalPKIXPublicKey(issued.PublicKey); err != nil || !publicKey.IsString() ||
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})) != publicKey.StringValue() {
		t.Errorf("the certificate is not for the stack's key (%v)", err)
	}
	providertest.Want(t, cf.Read(t, cert), "certificate", certPem)

	// Origin CA certificates have no update: every input forces a new certificate.
	longer := certInputs.Copy()
	longer["requestedValidity"] = resource.NewProperty(365.0)
	if _, diff := cf.Diff(t, cert, longer); !slices.Contains(diff.Replaces, "requestedValidity") {
		t.Errorf("a new validity: replaces %v, want requestedValidity", diff.Replaces)
	}
	cf.Delete(t, cert)
	tlsProvider.Delete(t, csr)
	tlsProvider.Delete(t, key)
}
