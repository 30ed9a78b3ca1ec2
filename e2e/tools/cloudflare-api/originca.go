package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/origin_ca_certificates"
	"github.com/cloudflare/cloudflare-go/v7/shared"
	"github.com/cloudflare/cloudflare-go/v7/ssl"
)

// authority is the double's local stand-in for Cloudflare's Origin CA.
type authority struct {
	cert *x509.Certificate
	key  crypto.Signer
	pem  []byte
}

func newAuthority() (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"ffnodes e2e"}, CommonName: "Cloudflare API double: Origin CA (test only)"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(20, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// certificate is an Origin CA certificate the double issued.
type certificate struct {
	ID          string
	PEM         string
	CSR         string
	Hostnames   []string
	RequestType string
	Validity    float64
	ExpiresOn   time.Time
	Revoked     bool
}

// defaultValidity is requested_validity when a request leaves it out (Cloudflare's default).
const defaultValidity = ssl.RequestValidity5475

// expiresOn is how Cloudflare writes an Origin CA certificate's expiry (a Go time's String form in UTC).
func expiresOn(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 -0700 MST")
}

func certificateJSON(c *certificate) map[string]any {
	return map[string]any{
		"id":                 c.ID,
		"certificate":        c.PEM,
		"csr":                c.CSR,
		"hostnames":          c.Hostnames,
		"request_type":       c.RequestType,
		"requested_validity": c.Validity,
		"expires_on":         expiresOn(c.ExpiresOn),
	}
}

// zoneOfHost is the zone of the double a certificate host name belongs to.
func (s *Server) zoneOfHost(host string) (Zone, bool) {
	name := strings.TrimPrefix(host, "*.")
	for _, z := range s.zones {
		if name == z.Name || strings.HasSuffix(name, "."+z.Name) {
			return z, true
		}
	}
	return Zone{}, false
}

// checkHostnames applies Origin CA's rules: fully qualified names of the account's zones, a
// wildcard only as `*.` over a name with at least two labels.
func (s *Server) checkHostnames(hostnames []string) *failure {
	if len(hostnames) == 0 {
		return fail(http.StatusBadRequest, 1010, "hostnames: at least one host name is required.")
	}
	for _, host := range hostnames {
		base := strings.TrimPrefix(host, "*.")
		if strings.Contains(base, "*") || strings.Count(base, ".") < 1 || host != strings.ToLower(host) {
			return fail(http.StatusBadRequest, 1010, "Failed to validate requested hostname %s: a wildcard is allowed only as a single leading '*.' over a multi-label lower-case name.", host)
		}
		if _, f := normalizeName(base, base); f != nil {
			return fail(http.StatusBadRequest, 1010, "Failed to validate requested hostname %s: not a valid host name.", host)
		}
		if _, ok := s.zoneOfHost(host); !ok {
			return fail(http.StatusBadRequest, 1010, "Failed to validate requested hostname %s: This zone is either not part of your account, or you do not have access to it. Please contact support if using a multi-user organization.", host)
		}
	}
	return nil
}

// parseCSR reads a PEM certificate request and checks that its key fits the request type.
func parseCSR(text string, requestType shared.CertificateRequestType) (*x509.CertificateRequest, *failure) {
	block, rest := pem.Decode([]byte(text))
	if block == nil || block.Type != "CERTIFICATE REQUEST" || strings.TrimSpace(string(rest)) != "" {
		return nil, fail(http.StatusBadRequest, 1001, "Unable to parse the CSR: want one PEM block 'CERTIFICATE REQUEST'.")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fail(http.StatusBadRequest, 1001, "Unable to parse the CSR: %v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fail(http.StatusBadRequest, 1001, "The CSR's signature does not verify: %v", err)
	}
	switch requestType {
	case shared.CertificateRequestTypeOriginRSA:
		if _, ok := csr.PublicKey.(*rsa.PublicKey); !ok {
			return nil, fail(http.StatusBadRequest, 1013, "request_type origin-rsa needs a CSR with an RSA key.")
		}
	case shared.CertificateRequestTypeOriginECC:
		if _, ok := csr.PublicKey.(*ecdsa.PublicKey); !ok {
			return nil, fail(http.StatusBadRequest, 1013, "request_type origin-ecc needs a CSR with an ECDSA key.")
		}
	default:
		return nil, fail(http.StatusBadRequest, 1013, "request_type %s: the double issues origin-rsa and origin-ecc certificates only.", requestType)
	}
	return csr, nil
}

func (s *Server) createCertificate(query url.Values, body []byte) (any, *resultInfo, *failure) {
	if f := noQuery(query); f != nil {
		return nil, nil, f
	}
	var params origin_ca_certificates.OriginCACertificateNewParams
	if err := decodeBody(body, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	if f := s.checkHostnames(params.Hostnames.Value); f != nil {
		return nil, nil, f
	}
	csr, f := parseCSR(params.Csr.Value, params.RequestType.Value)
	if f != nil {
		return nil, nil, f
	}
	validity := defaultValidity
	if params.RequestedValidity.Present && !params.RequestedValidity.Null {
		validity = params.RequestedValidity.Value
	}
	now := s.now()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 159))
	if err != nil {
		return nil, nil, fail(http.StatusInternalServerError, 1000, "%v", err)
	}
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"CloudFlare, Inc."}, OrganizationalUnit: []string{"CloudFlare Origin CA"}, CommonName: "CloudFlare Origin Certificate"},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(time.Duration(validity) * 24 * time.Hour),
		DNSNames:     params.Hostnames.Value,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, s.ca.cert, csr.PublicKey, s.ca.key)
	if err != nil {
		return nil, nil, fail(http.StatusInternalServerError, 1000, "signing: %v", err)
	}
	c := &certificate{
		ID:          serial.String(),
		PEM:         string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		CSR:         params.Csr.Value,
		Hostnames:   params.Hostnames.Value,
		RequestType: string(params.RequestType.Value),
		Validity:    float64(validity),
		ExpiresOn:   template.NotAfter,
	}
	s.certs[c.ID] = c
	s.certOrder = append(s.certOrder, c.ID)
	return certificateJSON(c), nil, nil
}

func (s *Server) findCertificate(id string) (*certificate, *failure) {
	c, ok := s.certs[id]
	if !ok || c.Revoked {
		return nil, fail(http.StatusNotFound, 1003, "Certificate %s does not exist or was revoked.", id)
	}
	return c, nil
}

func (s *Server) getCertificate(id string, query url.Values) (any, *resultInfo, *failure) {
	if f := noQuery(query); f != nil {
		return nil, nil, f
	}
	c, f := s.findCertificate(id)
	if f != nil {
		return nil, nil, f
	}
	return certificateJSON(c), nil, nil
}

// revokeCertificate is DELETE: Cloudflare revokes the certificate, and it is gone from reads.
func (s *Server) revokeCertificate(id string, query url.Values, body []byte) (any, *resultInfo, *failure) {
	if f := noQuery(query); f != nil {
		return nil, nil, f
	}
	if f := noBody(body); f != nil {
		return nil, nil, f
	}
	c, f := s.findCertificate(id)
	if f != nil {
		return nil, nil, f
	}
	c.Revoked = true
	return map[string]any{"id": c.ID, "revoked_at": timestamp(s.now())}, nil, nil
}

func (s *Server) listCertificates(query url.Values) (any, *resultInfo, *failure) {
	var params origin_ca_certificates.OriginCACertificateListParams
	if err := decodeQuery(query, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	if params.Limit.Present || params.Offset.Present {
		return nil, nil, badRequest(fmt.Errorf("query parameters limit and offset: the double pages by page and per_page only"))
	}
	zone, f := s.zone(params.ZoneID.Value)
	if f != nil {
		return nil, nil, f
	}
	matches := []*certificate{}
	for _, id := range s.certOrder {
		c := s.certs[id]
		if z, ok := s.zoneOfHost(c.Hostnames[0]); ok && z.ID == zone.ID && !c.Revoked {
			matches = append(matches, c)
		}
	}
	return page(matches, params.Page.Value, params.PerPage.Value, 20, 50, certificateJSON)
}
