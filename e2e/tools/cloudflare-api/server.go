package main

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// basePath is where Cloudflare serves API v4; cloudflare-go's default base URL ends in it.
const basePath = "/client/v4"

// apiError is one entry of the envelope's `errors`, with Cloudflare's code.
type apiError struct {
	Code       int        `json:"code"`
	Message    string     `json:"message"`
	ErrorChain []apiError `json:"error_chain,omitempty"`
}

// failure is an error answer: its HTTP status and the envelope's errors.
type failure struct {
	status int
	errors []apiError
}

func fail(status, code int, format string, args ...any) *failure {
	return &failure{status: status, errors: []apiError{{Code: code, Message: fmt.Sprintf(format, args...)}}}
}

// dnsValidation is Cloudflare's 1004 "DNS Validation Error", with the reason in its error chain.
func dnsValidation(code int, format string, args ...any) *failure {
	return &failure{status: http.StatusBadRequest, errors: []apiError{{Code: 1004, Message: "DNS Validation Error", ErrorChain: []apiError{{Code: code, Message: fmt.Sprintf(format, args...)}}}}}
}

// badRequest is a request that Cloudflare's published types do not describe.
func badRequest(err error) *failure {
	return fail(http.StatusBadRequest, 1004, "%v", err)
}

func notFound(what string) *failure {
	return fail(http.StatusNotFound, 81044, "%s does not exist.", what)
}

// resultInfo is the envelope's pagination: page and per_page asked, count on this page, total.
type resultInfo struct {
	Page       int `json:"page"`
	PerPage    int `json:"per_page"`
	Count      int `json:"count"`
	TotalCount int `json:"total_count"`
	TotalPages int `json:"total_pages"`
}

type envelope struct {
	Success    bool        `json:"success"`
	Errors     []apiError  `json:"errors"`
	Messages   []apiError  `json:"messages"`
	Result     any         `json:"result"`
	ResultInfo *resultInfo `json:"result_info,omitempty"`
}

// Zone is one zone the double serves, on the Free plan as a new zone is.
type Zone struct {
	ID   string
	Name string
}

// zoneID is the zone's id, derived from its name so that it is the same at every start.
func zoneID(name string) string {
	sum := md5.Sum([]byte("ffnodes-cloudflare-api-double/" + name))
	return hex.EncodeToString(sum[:])
}

// commentLimit is the length Cloudflare allows a record comment on the Free plan.
const commentLimit = 100

// logEntry is one request as the double answered it, for tests to assert on.
type logEntry struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query,omitempty"`
	Status int    `json:"status"`
}

// Server is the API double. Its state lives in memory only.
type Server struct {
	mu        sync.Mutex
	token     string
	readToken string
	zones     []Zone
	records   map[string]*record
	order     []string
	certs     map[string]*certificate
	certOrder []string
	ca        *authority
	log       []logEntry
	now       func() time.Time
}

// NewServer serves the zones named, reached with token (read and write) or readToken (read only).
func NewServer(token, readToken string, zoneNames []string, ca *authority) *Server {
	s := &Server{token: token, readToken: readToken, records: map[string]*record{}, certs: map[string]*certificate{}, ca: ca, now: time.Now}
	for _, name := range zoneNames {
		s.zones = append(s.zones, Zone{ID: zoneID(name), Name: name})
	}
	return s
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// timestamp is how Cloudflare writes times: RFC 3339 in UTC with microseconds.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	s.serve(rec, r)
	s.mu.Lock()
	s.log = append(s.log, logEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status})
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if f := s.authorize(r); f != nil {
		writeFailure(w, f)
		return
	}
	if r.URL.Path == "/_double/requests" {
		s.mu.Lock()
		entries := append([]logEntry{}, s.log...)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, entries)
		return
	}
	if r.URL.Path == "/_double/origin-ca.pem" {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(s.ca.pem)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, basePath+"/")
	if !ok {
		writeFailure(w, fail(http.StatusBadRequest, 7000, "No route for that URI"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeFailure(w, fail(http.StatusBadRequest, 1004, "reading the body: %v", err))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	result, info, f := s.route(r.Method, strings.Split(strings.TrimSuffix(path, "/"), "/"), r.URL.Query(), body)
	if f != nil {
		writeFailure(w, f)
		return
	}
	writeJSON(w, http.StatusOK, envelope{Success: true, Errors: []apiError{}, Messages: []apiError{}, Result: result, ResultInfo: info})
}

// authorize checks the API token as Cloudflare does: a missing or malformed Authorization header
// is 400 (6003, with 6111 in its chain), an unknown token 403 (9109), and a token without the
// permission for a change 403 (10000).
func (s *Server) authorize(r *http.Request) *failure {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" || strings.ContainsAny(token, " \t") {
		return &failure{status: http.StatusBadRequest, errors: []apiError{{Code: 6003, Message: "Invalid request headers", ErrorChain: []apiError{{Code: 6111, Message: "Invalid format for Authorization header"}}}}}
	}
	switch token {
	case s.token:
		return nil
	case s.readToken:
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return nil
		}
		return fail(http.StatusForbidden, 10000, "Authentication error")
	}
	return fail(http.StatusForbidden, 9109, "Invalid access token")
}

func writeFailure(w http.ResponseWriter, f *failure) {
	writeJSON(w, f.status, envelope{Success: false, Errors: f.errors, Messages: []apiError{}, Result: nil})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) route(method string, parts []string, query url.Values, body []byte) (any, *resultInfo, *failure) {
	n := len(parts)
	switch {
	case n == 1 && parts[0] == "zones":
		return only(method, http.MethodGet, func() (any, *resultInfo, *failure) { return s.listZones(query) })
	case n == 2 && parts[0] == "zones":
		return only(method, http.MethodGet, func() (any, *resultInfo, *failure) { return s.getZone(parts[1], query) })
	case n == 3 && parts[0] == "zones" && parts[2] == "dns_records":
		zone, f := s.zone(parts[1])
		if f != nil {
			return nil, nil, f
		}
		switch method {
		case http.MethodGet:
			return s.listRecords(zone, query)
		case http.MethodPost:
			return s.createRecord(zone, query, body)
		}
		return nil, nil, methodNotAllowed(method)
	case n == 4 && parts[0] == "zones" && parts[2] == "dns_records":
		zone, f := s.zone(parts[1])
		if f != nil {
			return nil, nil, f
		}
		switch method {
		case http.MethodGet:
			return s.getRecord(zone, parts[3], query)
		case http.MethodPut:
			return s.updateRecord(zone, parts[3], query, body)
		case http.MethodDelete:
			return s.deleteRecord(zone, parts[3], query, body)
		}
		return nil, nil, methodNotAllowed(method)
	case n == 1 && parts[0] == "certificates":
		switch method {
		case http.MethodGet:
			return s.listCertificates(query)
		case http.MethodPost:
			return s.createCertificate(query, body)
		}
		return nil, nil, methodNotAllowed(method)
	case n == 2 && parts[0] == "certificates":
		switch method {
		case http.MethodGet:
			return s.getCertificate(parts[1], query)
		case http.MethodDelete:
			return s.revokeCertificate(parts[1], query, body)
		}
		return nil, nil, methodNotAllowed(method)
	}
	return nil, nil, fail(http.StatusBadRequest, 7000, "No route for that URI")
}

func only(method, allowed string, handle func() (any, *resultInfo, *failure)) (any, *resultInfo, *failure) {
	if method != allowed {
		return nil, nil, methodNotAllowed(method)
	}
	return handle()
}

func methodNotAllowed(method string) *failure {
	return fail(http.StatusMethodNotAllowed, 10405, "Method %s not allowed here (the double serves what terraform-provider-cloudflare's DNS record and Origin CA certificate use)", method)
}

// noQuery refuses query parameters on an endpoint whose Cloudflare type takes none.
func noQuery(query url.Values) *failure {
	for key := range query {
		return badRequest(fmt.Errorf("query parameter %s: unknown (this endpoint takes none)", key))
	}
	return nil
}

// noBody refuses a body where Cloudflare's type has none (DELETE sends none, or `{}`).
func noBody(body []byte) *failure {
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" || trimmed == "{}" {
		return nil
	}
	return badRequest(fmt.Errorf("the body: this endpoint takes none"))
}

// page cuts a list to the page asked, as Cloudflare's v4 pagination does (page from 1), and
// renders each item of it.
func page[T any](items []T, pageNumber, perPage float64, defaultPerPage, maxPerPage int, render func(T) map[string]any) (any, *resultInfo, *failure) {
	p, size := 1, defaultPerPage
	if pageNumber != 0 {
		if pageNumber < 1 || pageNumber != math.Trunc(pageNumber) {
			return nil, nil, badRequest(fmt.Errorf("query parameter page: must be a whole number from 1, got %v", pageNumber))
		}
		p = int(pageNumber)
	}
	if perPage != 0 {
		if perPage < 5 || perPage > float64(maxPerPage) || perPage != math.Trunc(perPage) {
			return nil, nil, badRequest(fmt.Errorf("query parameter per_page: must be a whole number from 5 to %d, got %v", maxPerPage, perPage))
		}
		size = int(perPage)
	}
	start := min((p-1)*size, len(items))
	end := min(start+size, len(items))
	result := []map[string]any{}
	for _, item := range items[start:end] {
		result = append(result, render(item))
	}
	return result, &resultInfo{Page: p, PerPage: size, Count: len(result), TotalCount: len(items), TotalPages: (len(items) + size - 1) / size}, nil
}
