// cloudflare-api is a test double of Cloudflare's API v4 for the e2e environment: the zones,
// DNS records and Origin CA certificates that terraform-provider-cloudflare's cloudflare_dns_record
// and cloudflare_origin_ca_certificate use, and that ffnodes's adopt-ids reads. Every request is
// decoded with cloudflare-go v7's generated request types (strict.go); state lives in memory.
//
//	CLOUDFLARE_API_DOUBLE_TOKEN=... CLOUDFLARE_API_DOUBLE_READ_TOKEN=... cloudflare-api --listen 127.0.0.1:8443 --zones fitfile.net,fitfile.co.uk
//
// Besides Cloudflare's paths under /client/v4 it answers, with either token,
// GET /_double/requests (every request answered: method, path, query, status) and
// GET /_double/origin-ca.pem (the local CA that signs Origin CA certificates).
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address and port to listen on")
	zoneNames := flag.String("zones", "fitfile.net,fitfile.co.uk", "the zones served, comma-separated")
	flag.Parse()
	if err := run(*listen, strings.Split(*zoneNames, ",")); err != nil {
		fmt.Fprintf(os.Stderr, "cloudflare-api: %v\n", err)
		os.Exit(1)
	}
}

func run(listen string, zoneNames []string) error {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", listen, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %q: the double listens on a loopback address only (127.0.0.1 or ::1)", listen)
	}
	token, readToken := os.Getenv("CLOUDFLARE_API_DOUBLE_TOKEN"), os.Getenv("CLOUDFLARE_API_DOUBLE_READ_TOKEN")
	if token == "" || readToken == "" || token == readToken {
		return fmt.Errorf("set CLOUDFLARE_API_DOUBLE_TOKEN (read and write) and CLOUDFLARE_API_DOUBLE_READ_TOKEN (read only), two different tokens")
	}
	for _, name := range zoneNames {
		if n, f := normalizeName(name, name); f != nil || n != name || !strings.Contains(name, ".") {
			return fmt.Errorf("--zones: %q is not a lower-case domain name", name)
		}
	}
	ca, err := newAuthority()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("cloudflare-api: serving %s on http://%s%s\n", strings.Join(zoneNames, ", "), ln.Addr(), basePath)
	return http.Serve(ln, NewServer(token, readToken, zoneNames, ca))
}
