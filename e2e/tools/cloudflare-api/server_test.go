package main

// The double's behaviour, driven the way its clients drive it: cloudflare-go v7's own services
// (the library terraform-provider-cloudflare's generated code shares its request and response
// types with) for what must work, and raw HTTP for what Cloudflare refuses.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/origin_ca_certificates"
	"github.com/cloudflare/cloudflare-go/v7/shared"
	"github.com/cloudflare/cloudflare-go/v7/ssl"
	"github.com/cloudflare/cloudflare-go/v7/zones"
)

const (
	writeToken = "write-token-0123456789"
	readToken  = "read-token-9876543210"
)

var fitfile, coUK = zoneID("fitfile.net"), zoneID("fitfile.co.uk")

func start(t *testing.T) (*httptest.Server, []option.RequestOption) {
	t.Helper()
	ca, err := newAuthority()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(NewServer(writeToken, readToken, []string{"fitfile.net", "fitfile.co.uk"}, ca))
	t.Cleanup(ts.Close)
	return ts, []option.RequestOption{option.WithBaseURL(ts.URL + basePath), option.WithAPIToken(writeToken), option.WithMaxRetries(0)}
}

// build makes a cloudflare-go params value from its JSON body and query string, with the double's
// own strict decoder (cloudflare-go's field constructor F lives in its root package, which pulls
// in every service), and its zone id, when it has one, set in its path field.
func build[T any](t *testing.T, body, query, zone string) T {
	t.Helper()
	var out T
	if body != "" {
		if err := decodeBody([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if err := decodeQuery(values, &out); err != nil {
		t.Fatal(err)
	}
	if zone != "" {
		field := reflect.ValueOf(&out).Elem().FieldByName("ZoneID")
		field.FieldByName("Value").SetString(zone)
		field.FieldByName("Present").SetBool(true)
	}
	return out
}

type answer struct {
	status int
	body   map[string]any
}

func call(t *testing.T, ts *httptest.Server, token, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+basePath+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: the answer is not JSON: %s", method, path, raw)
	}
	for _, key := range []string{"success", "errors", "messages", "result"} {
		if _, ok := out[key]; !ok {
			t.Fatalf("%s %s: the envelope lacks %q: %s", method, path, key, raw)
		}
	}
	return answer{res.StatusCode, out}
}

// firstError is the code and message of an answer's first error, and of the first in its chain.
func firstError(a answer) (int, string) {
	errs, _ := a.body["errors"].([]any)
	if len(errs) == 0 {
		return 0, ""
	}
	e := errs[0].(map[string]any)
	if chain, ok := e["error_chain"].([]any); ok && len(chain) > 0 {
		e = chain[0].(map[string]any)
	}
	return int(e["code"].(float64)), e["message"].(string)
}

// noExtras lists every field of a decoded cloudflare-go response that its type does not know,
// or could not read: the double answers nothing Cloudflare's published types lack.
func noExtras(t *testing.T, what string, v any) {
	t.Helper()
	var problems []string
	var walk func(reflect.Value, string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Struct:
			if meta := v.FieldByName("JSON"); meta.IsValid() && meta.Kind() == reflect.Struct {
				// apijson also lists as extra the fields of an embedded struct, and of a union's
				// variant copied up (RecordResponse): those the type declares are no extras.
				declared := jsonNames(v.Type())
				if extras := meta.FieldByName("ExtraFields"); extras.IsValid() && extras.Len() > 0 {
					for _, k := range extras.MapKeys() {
						if !declared[k.String()] {
							problems = append(problems, path+"."+k.String()+" (unknown)")
						}
					}
				}
				for i := 0; i < meta.NumField(); i++ {
					if !meta.Type().Field(i).IsExported() {
						continue
					}
					if f, ok := meta.Field(i).Interface().(interface{ IsInvalid() bool }); ok && f.IsInvalid() {
						problems = append(problems, path+"."+meta.Type().Field(i).Name+" (mistyped)")
					}
				}
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() && v.Type().Field(i).Name != "JSON" {
					walk(v.Field(i), path+"."+v.Type().Field(i).Name)
				}
			}
		}
	}
	walk(reflect.ValueOf(v), what)
	if len(problems) > 0 {
		t.Errorf("%s: %s", what, strings.Join(problems, ", "))
	}
}

// jsonNames are the JSON names a response type declares, its embedded structs' included.
func jsonNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for name := range jsonNames(f.Type) {
				names[name] = true
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

func TestTokens(t *testing.T) {
	ts, _ := start(t)
	cases := []struct {
		title, token, method string
		status, code         int
	}{
		{"no token", "", "GET", 400, 6111},
		{"an unknown token", "not-a-token", "GET", 403, 9109},
		{"the read token reads", readToken, "GET", 200, 0},
		{"the read token cannot write", readToken, "POST", 403, 10000},
		{"the write token reads", writeToken, "GET", 200, 0},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			path := "/zones/" + fitfile + "/dns_records"
			body := ""
			if c.method == "POST" {
				body = `{"type":"A","name":"x","content":"192.0.2.1","ttl":1}`
			}
			a := call(t, ts, c.token, c.method, path, body)
			if code, _ := firstError(a); a.status != c.status || code != c.code {
				t.Fatalf("got %d %v, want %d with code %d", a.status, a.body, c.status, c.code)
			}
			if a.body["success"] != (c.status == 200) {
				t.Fatalf("success = %v", a.body["success"])
			}
		})
	}
}

func TestZones(t *testing.T) {
	ts, opts := start(t)
	svc := zones.NewZoneService(opts...)
	ctx := context.Background()
	found, err := svc.List(ctx, build[zones.ZoneListParams](t, "", "name=fitfile.net", ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Result) != 1 || found.Result[0].ID != fitfile || found.Result[0].Name != "fitfile.net" || found.ResultInfo.Page != 1 {
		t.Fatalf("zones?name=fitfile.net: %+v", found.Result)
	}
	noExtras(t, "zones?name=", found.Result)
	zone, err := svc.Get(ctx, build[zones.ZoneGetParams](t, "", "", coUK))
	if err != nil || zone.Name != "fitfile.co.uk" || zone.Status != zones.ZoneStatusActive {
		t.Fatalf("zones/{id}: %v %+v", err, zone)
	}
	noExtras(t, "zones/{id}", zone)
	all, err := svc.List(ctx, zones.ZoneListParams{})
	if err != nil || len(all.Result) != 2 {
		t.Fatalf("zones: %v %d", err, len(all.Result))
	}
	none, err := svc.List(ctx, build[zones.ZoneListParams](t, "", "name=fitfile.org", ""))
	if err != nil || len(none.Result) != 0 {
		t.Fatalf("zones?name=fitfile.org: %v %+v", err, none.Result)
	}
	if a := call(t, ts, writeToken, "GET", "/zones/"+strings.Repeat("0", 32), ""); a.status != 404 {
		t.Fatalf("an unknown zone: %d", a.status)
	}
	if a := call(t, ts, writeToken, "GET", "/zones?nam=fitfile.net", ""); a.status != 400 {
		t.Fatalf("a mistyped query parameter: %d", a.status)
	}
}

func TestRecordLifecycle(t *testing.T) {
	ts, opts := start(t)
	svc := dns.NewRecordService(opts...)
	ctx := context.Background()
	newRecord := func(zone string, body dns.RecordNewParamsBodyUnion) (*dns.RecordResponse, error) {
		params := build[dns.RecordNewParams](t, "", "", zone)
		params.Body = body
		return svc.New(ctx, params)
	}
	created, err := newRecord(fitfile, build[dns.CNAMERecordParam](t, `{"name":"KCH.fitfile.net.","type":"CNAME","content":"Ingress.fitfile.net.","proxied":true,"ttl":300,"comment":"ffnodes: customer kch"}`, "", ""))
	if err != nil {
		t.Fatal(err)
	}
	noExtras(t, "created record", created)
	if created.Name != "kch.fitfile.net" || created.Content != "ingress.fitfile.net" || created.TTL != 1 || !created.Proxiable || !created.Proxied || len(created.ID) != 32 {
		t.Fatalf("created: %+v", created)
	}
	if created.CommentModifiedOn.IsZero() || created.CreatedOn.IsZero() {
		t.Fatalf("created: no timestamps: %+v", created)
	}
	relative, err := newRecord(fitfile, build[dns.ARecordParam](t, `{"name":"app","type":"A","content":"192.0.2.10","ttl":120}`, "", ""))
	if err != nil || relative.Name != "app.fitfile.net" || relative.TTL != 120 || relative.Proxied || relative.Comment != "" {
		t.Fatalf("a relative name: %v %+v", err, relative)
	}
	private, err := newRecord(fitfile, build[dns.ARecordParam](t, `{"name":"internal","type":"A","content":"10.0.0.1","ttl":1}`, "", ""))
	if err != nil || private.Proxiable {
		t.Fatalf("a private address is not proxiable: %v %+v", err, private)
	}
	update := build[dns.RecordUpdateParams](t, "", "", fitfile)
	update.Body = build[dns.CNAMERecordParam](t, `{"name":"kch.fitfile.net","type":"CNAME","content":"ingress.fitfile.net","proxied":false,"ttl":300}`, "", "")
	updated, err := svc.Update(ctx, created.ID, update)
	if err != nil || updated.ID != created.ID || updated.TTL != 300 || updated.Proxied || updated.Comment != "" || !updated.CreatedOn.Equal(created.CreatedOn) {
		t.Fatalf("updated (PUT overwrites): %v %+v", err, updated)
	}
	got, err := svc.Get(ctx, created.ID, build[dns.RecordGetParams](t, "", "", fitfile))
	if err != nil || got.TTL != 300 || got.Content != "ingress.fitfile.net" {
		t.Fatalf("read back: %v %+v", err, got)
	}
	listed, err := svc.List(ctx, build[dns.RecordListParams](t, "", "name.exact=KCH.fitfile.net&type=CNAME", fitfile))
	if err != nil || len(listed.Result) != 1 || listed.Result[0].ID != created.ID {
		t.Fatalf("list by name.exact and type: %v %+v", err, listed)
	}
	if other, err := svc.List(ctx, build[dns.RecordListParams](t, "", "", coUK)); err != nil || len(other.Result) != 0 {
		t.Fatalf("the other zone's records: %v %+v", err, other)
	}
	if _, err := svc.Delete(ctx, created.ID, build[dns.RecordDeleteParams](t, "", "", fitfile)); err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		body := ""
		if method == "PUT" {
			body = `{"type":"CNAME","name":"kch","content":"ingress.fitfile.net","ttl":1}`
		}
		a := call(t, ts, writeToken, method, "/zones/"+fitfile+"/dns_records/"+created.ID, body)
		if code, _ := firstError(a); a.status != 404 || code != 81044 {
			t.Fatalf("%s of a deleted record: %d %v", method, a.status, a.body)
		}
	}
	if a := call(t, ts, writeToken, "GET", "/zones/"+coUK+"/dns_records/"+relative.ID, ""); a.status != 404 {
		t.Fatalf("a record read through the other zone: %d", a.status)
	}
}

func TestRecordRefusals(t *testing.T) {
	ts, _ := start(t)
	seed := []string{
		`{"type":"A","name":"a.fitfile.net","content":"192.0.2.1","ttl":1}`,
		`{"type":"CNAME","name":"c.fitfile.net","content":"ingress.fitfile.net","ttl":1}`,
	}
	for _, body := range seed {
		if a := call(t, ts, writeToken, "POST", "/zones/"+fitfile+"/dns_records", body); a.status != 200 {
			t.Fatalf("seed %s: %v", body, a.body)
		}
	}
	long := strings.Repeat("x", 101)
	cases := []struct {
		title, body  string
		status, code int
		says         string
	}{
		{"an unknown field", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"proxy":true}`, 400, 1004, "proxy: unknown field"},
		{"a field of another record type", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"priority":10}`, 400, 1004, "priority: unknown field"},
		{"ttl as a string", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":"300"}`, 400, 1004, "ttl: want a number"},
		{"proxied as a string", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"proxied":"true"}`, 400, 1004, "proxied: want true or false"},
		{"no ttl", `{"type":"CNAME","name":"n","content":"t.fitfile.net"}`, 400, 1004, "ttl: is required"},
		{"no name", `{"type":"CNAME","content":"t.fitfile.net","ttl":1}`, 400, 1004, "name: is required"},
		{"a null name", `{"type":"CNAME","name":null,"content":"t.fitfile.net","ttl":1}`, 400, 1004, "may not be null"},
		{"no type", `{"name":"n","content":"t.fitfile.net","ttl":1}`, 400, 1004, "type: is required"},
		{"an unknown type", `{"type":"CNAMES","name":"n","content":"t.fitfile.net","ttl":1}`, 400, 1004, "not a DNS record type"},
		{"a type the double does not serve", `{"type":"SRV","name":"n","ttl":1}`, 400, 1004, "serves A, AAAA, CNAME and TXT"},
		{"settings of the wrong shape", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"settings":{"flatten":true}}`, 400, 1004, "settings.flatten: unknown field"},
		{"two JSON values", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1} {}`, 400, 1004, "more than one JSON value"},
		{"not JSON", `type=CNAME`, 400, 1004, "not JSON"},
		{"an array", `[{"type":"CNAME"}]`, 400, 1004, "type: is required"},
		{"a ttl below 60", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":30}`, 400, 9021, "Invalid TTL"},
		{"a ttl above a day", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":86401}`, 400, 9021, "Invalid TTL"},
		{"a comment over the Free plan's 100 characters", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"comment":"` + long + `"}`, 400, 9100, "too long"},
		{"tags on the Free plan", `{"type":"CNAME","name":"n","content":"t.fitfile.net","ttl":1,"tags":["a:b"]}`, 400, 9101, "tags"},
		{"an A record that is no IPv4 address", `{"type":"A","name":"n","content":"ingress.fitfile.net","ttl":1}`, 400, 9005, "IPv4"},
		{"an AAAA record that is an IPv4 address", `{"type":"AAAA","name":"n","content":"192.0.2.1","ttl":1}`, 400, 9006, "IPv6"},
		{"a proxied private address", `{"type":"A","name":"n","content":"10.1.2.3","ttl":1,"proxied":true}`, 400, 9004, "cannot be proxied"},
		{"a proxied TXT record", `{"type":"TXT","name":"n","content":"\"v\"","ttl":1,"proxied":true}`, 400, 9004, "cannot be proxied"},
		{"a CNAME to itself", `{"type":"CNAME","name":"n.fitfile.net","content":"N.fitfile.net.","ttl":1}`, 400, 9039, "itself"},
		{"an identical record", `{"type":"A","name":"A.fitfile.net.","content":"192.0.2.1","ttl":300}`, 400, 81058, "identical record"},
		{"a CNAME beside an A record", `{"type":"CNAME","name":"a","content":"ingress.fitfile.net","ttl":1}`, 400, 81053, "A, AAAA, or CNAME"},
		{"an A record beside a CNAME", `{"type":"A","name":"c","content":"192.0.2.2","ttl":1}`, 400, 81053, "A, AAAA, or CNAME"},
		{"a second CNAME", `{"type":"CNAME","name":"c","content":"other.fitfile.net","ttl":1}`, 400, 81053, "A, AAAA, or CNAME"},
		{"a TXT record beside a CNAME", `{"type":"TXT","name":"c","content":"\"v\"","ttl":1}`, 400, 81054, "A CNAME record with that host"},
		{"a label over 63 characters", `{"type":"CNAME","name":"` + strings.Repeat("a", 64) + `","content":"t.fitfile.net","ttl":1}`, 400, 9000, "1 to 63"},
		{"a Unicode name", `{"type":"CNAME","name":"kéch","content":"t.fitfile.net","ttl":1}`, 400, 9000, "Punycode"},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			a := call(t, ts, writeToken, "POST", "/zones/"+fitfile+"/dns_records", c.body)
			code, message := firstError(a)
			if a.status != c.status || code != c.code || !strings.Contains(message, c.says) || a.body["success"] != false {
				t.Fatalf("got %d %d %q, want %d %d %q", a.status, code, message, c.status, c.code, c.says)
			}
		})
	}
	// A change that would make a conflict is refused as a create is; a record may keep its own content.
	list := call(t, ts, writeToken, "GET", "/zones/"+fitfile+"/dns_records?name.exact=a.fitfile.net", "")
	id := list.body["result"].([]any)[0].(map[string]any)["id"].(string)
	if a := call(t, ts, writeToken, "PUT", "/zones/"+fitfile+"/dns_records/"+id, `{"type":"CNAME","name":"c","content":"x.fitfile.net","ttl":1}`); a.status != 400 {
		t.Fatalf("an update onto a CNAME's name: %d", a.status)
	}
	if a := call(t, ts, writeToken, "PUT", "/zones/"+fitfile+"/dns_records/"+id, `{"type":"A","name":"a","content":"192.0.2.1","ttl":600}`); a.status != 200 {
		t.Fatalf("an update of a record onto itself: %v", a.body)
	}
	queries := []struct{ title, query, says string }{
		{"a bare name, which the published types replaced by name.exact", "name=a.fitfile.net", "takes a sub-field"},
		{"an unknown parameter", "nam.exact=a", "unknown"},
		{"an unknown type", "type=BOGUS", "not a value"},
		{"per_page below 5", "per_page=2", "per_page"},
		{"a page that is no number", "page=two", "want a number"},
		{"a search, which the double does not serve", "search=a", "does not filter"},
	}
	for _, q := range queries {
		t.Run(q.title, func(t *testing.T) {
			a := call(t, ts, writeToken, "GET", "/zones/"+fitfile+"/dns_records?"+q.query, "")
			if _, message := firstError(a); a.status != 400 || !strings.Contains(message, q.says) {
				t.Fatalf("got %d %q, want 400 saying %q", a.status, message, q.says)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	ts, opts := start(t)
	for i := 0; i < 7; i++ {
		body := fmt.Sprintf(`{"type":"A","name":"h%d","content":"192.0.2.%d","ttl":1}`, i, i+1)
		if a := call(t, ts, writeToken, "POST", "/zones/"+fitfile+"/dns_records", body); a.status != 200 {
			t.Fatal(a.body)
		}
	}
	first := call(t, ts, writeToken, "GET", "/zones/"+fitfile+"/dns_records?per_page=5&order=name", "")
	info := first.body["result_info"].(map[string]any)
	if info["count"] != 5.0 || info["total_count"] != 7.0 || info["total_pages"] != 2.0 || info["page"] != 1.0 || info["per_page"] != 5.0 {
		t.Fatalf("result_info of page 1: %v", info)
	}
	second := call(t, ts, writeToken, "GET", "/zones/"+fitfile+"/dns_records?per_page=5&order=name&page=2", "")
	if n := len(second.body["result"].([]any)); n != 2 {
		t.Fatalf("page 2 holds %d", n)
	}
	seen := map[string]bool{}
	pager := dns.NewRecordService(opts...).ListAutoPaging(context.Background(), build[dns.RecordListParams](t, "", "per_page=5", fitfile))
	for pager.Next() {
		seen[pager.Current().Name] = true
	}
	if pager.Err() != nil || len(seen) != 7 {
		t.Fatalf("cloudflare-go's pager saw %d records: %v", len(seen), pager.Err())
	}
}

func csrPEM(t *testing.T, key any, hosts ...string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: hosts[0]}, DNSNames: hosts}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func newCertificate(csr string, hosts []string, requestType string, validity ssl.RequestValidity) string {
	out, _ := json.Marshal(map[string]any{"csr": csr, "hostnames": hosts, "request_type": requestType, "requested_validity": validity})
	return string(out)
}

func TestOriginCA(t *testing.T) {
	ts, opts := start(t)
	svc := origin_ca_certificates.NewOriginCACertificateService(opts...)
	ctx := context.Background()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	hosts := []string{"kch.fitfile.net", "*.kch.fitfile.net"}
	issued, err := svc.New(ctx, build[origin_ca_certificates.OriginCACertificateNewParams](t, newCertificate(csrPEM(t, rsaKey, hosts...), hosts, "origin-rsa", ssl.RequestValidity90), "", ""))
	if err != nil {
		t.Fatal(err)
	}
	noExtras(t, "issued certificate", issued)
	block, _ := pem.Decode([]byte(issued.Certificate))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := http.NewRequest("GET", ts.URL+"/_double/origin-ca.pem", nil)
	caPEM.Header.Set("Authorization", "Bearer "+readToken)
	res, err := http.DefaultClient.Do(caPEM)
	if err != nil {
		t.Fatal(err)
	}
	caText, _ := io.ReadAll(res.Body)
	res.Body.Close()
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caText) {
		t.Fatalf("the double's CA: %s", caText)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: "app.kch.fitfile.net"}); err != nil {
		t.Fatalf("the certificate does not verify against the double's CA for a name under the wildcard: %v", err)
	}
	if !reflect.DeepEqual(cert.DNSNames, hosts) || !cert.PublicKey.(*rsa.PublicKey).Equal(&rsaKey.PublicKey) {
		t.Fatalf("the certificate is not for the CSR's key and the hosts asked: %v", cert.DNSNames)
	}
	if days := time.Until(cert.NotAfter).Hours() / 24; days < 89.9 || days > 90.1 {
		t.Fatalf("valid for %.1f days, asked 90", days)
	}
	if issued.RequestedValidity != 90 || issued.RequestType != shared.CertificateRequestTypeOriginRSA || issued.ExpiresOn != expiresOn(cert.NotAfter) {
		t.Fatalf("issued: %+v", issued)
	}
	got, err := svc.Get(ctx, issued.ID)
	if err != nil || got.Certificate != issued.Certificate {
		t.Fatalf("read back: %v", err)
	}
	listed, err := svc.List(ctx, build[origin_ca_certificates.OriginCACertificateListParams](t, "", "zone_id="+fitfile, ""))
	if err != nil || len(listed.Result) != 1 {
		t.Fatalf("listed: %v %+v", err, listed)
	}
	if _, err := svc.Delete(ctx, issued.ID); err != nil {
		t.Fatal(err)
	}
	if a := call(t, ts, writeToken, "GET", "/certificates/"+issued.ID, ""); a.status != 404 {
		t.Fatalf("a revoked certificate: %d", a.status)
	}

	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecc := csrPEM(t, ecKey, "kch.fitfile.co.uk")
	rsaCSR := csrPEM(t, rsaKey, "kch.fitfile.net")
	body := func(csr, hosts, requestType, extra string) string {
		quoted, _ := json.Marshal(csr)
		return fmt.Sprintf(`{"csr":%s,"hostnames":%s,"request_type":%q%s}`, quoted, hosts, requestType, extra)
	}
	if a := call(t, ts, writeToken, "POST", "/certificates", body(ecc, `["kch.fitfile.co.uk"]`, "origin-ecc", "")); a.status != 200 {
		t.Fatalf("an ECDSA certificate with the default validity: %v", a.body)
	} else if v := a.body["result"].(map[string]any)["requested_validity"]; v != 5475.0 {
		t.Fatalf("default validity %v, want 5475", v)
	}
	cases := []struct{ title, body, says string }{
		{"a validity Cloudflare does not offer", body(rsaCSR, `["kch.fitfile.net"]`, "origin-rsa", `,"requested_validity":60`), "requested_validity: 60 is not a value"},
		{"validity as a string", body(rsaCSR, `["kch.fitfile.net"]`, "origin-rsa", `,"requested_validity":"90"`), "want a number"},
		{"an unknown request type", body(rsaCSR, `["kch.fitfile.net"]`, "origin-dsa", ""), "request_type: origin-dsa is not a value"},
		{"an RSA CSR for an ECC certificate", body(rsaCSR, `["kch.fitfile.net"]`, "origin-ecc", ""), "ECDSA key"},
		{"a host outside the zones", body(rsaCSR, `["kch.fitfile.org"]`, "origin-rsa", ""), "not part of your account"},
		{"a double wildcard", body(rsaCSR, `["*.*.fitfile.net"]`, "origin-rsa", ""), "wildcard"},
		{"no hostnames", body(rsaCSR, `[]`, "origin-rsa", ""), "at least one"},
		{"no CSR", `{"hostnames":["kch.fitfile.net"],"request_type":"origin-rsa"}`, "csr: is required"},
		{"a CSR that is not PEM", body("MIIB...", `["kch.fitfile.net"]`, "origin-rsa", ""), "PEM"},
		{"an unknown field", body(rsaCSR, `["kch.fitfile.net"]`, "origin-rsa", `,"validity_days":90`), "validity_days: unknown field"},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			a := call(t, ts, writeToken, "POST", "/certificates", c.body)
			if _, message := firstError(a); a.status != 400 || !strings.Contains(message, c.says) {
				t.Fatalf("got %d %q, want 400 saying %q", a.status, message, c.says)
			}
		})
	}
}

func TestRequestLog(t *testing.T) {
	ts, _ := start(t)
	call(t, ts, readToken, "GET", "/zones?name=fitfile.net", "")
	call(t, ts, readToken, "DELETE", "/zones/"+fitfile+"/dns_records/"+strings.Repeat("a", 32), "")
	req, _ := http.NewRequest("GET", ts.URL+"/_double/requests", bytes.NewReader(nil))
	req.Header.Set("Authorization", "Bearer "+readToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var entries []logEntry
	if err := json.NewDecoder(res.Body).Decode(&entries); err != nil {
		t.Fatal(err)
	}
	want := []logEntry{
		{Method: "GET", Path: basePath + "/zones", Query: "name=fitfile.net", Status: 200},
		{Method: "DELETE", Path: basePath + "/zones/" + fitfile + "/dns_records/" + strings.Repeat("a", 32), Status: 403},
	}
	if !reflect.DeepEqual(entries, want) {
		t.Fatalf("log: %+v", entries)
	}
}

func TestListensOnLoopbackOnly(t *testing.T) {
	t.Setenv("CLOUDFLARE_API_DOUBLE_TOKEN", writeToken)
	t.Setenv("CLOUDFLARE_API_DOUBLE_READ_TOKEN", readToken)
	for _, listen := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80"} {
		if err := run(listen, []string{"fitfile.net"}); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("--listen %s: %v", listen, err)
		}
	}
	t.Setenv("CLOUDFLARE_API_DOUBLE_READ_TOKEN", writeToken)
	if err := run("127.0.0.1:0", []string{"fitfile.net"}); err == nil || !strings.Contains(err.Error(), "two different tokens") {
		t.Errorf("one token for both: %v", err)
	}
}
