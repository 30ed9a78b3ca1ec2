package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/dns"
)

// record is a DNS record as the double keeps it.
type record struct {
	ID                string
	ZoneID            string
	Name              string
	Type              string
	Content           string
	Comment           string
	Proxied           bool
	TTL               float64
	Settings          map[string]any
	Created, Modified time.Time
	CommentModified   time.Time
}

// recordBody is a request body once decodeBody has checked it against the record type's
// cloudflare-go params type; plain encoding/json then reads it with no room for doubt.
type recordBody struct {
	Name     string          `json:"name"`
	TTL      float64         `json:"ttl"`
	Type     string          `json:"type"`
	Comment  *string         `json:"comment"`
	Content  string          `json:"content"`
	Proxied  *bool           `json:"proxied"`
	Settings map[string]any  `json:"settings"`
	Tags     []string        `json:"tags"`
	Data     json.RawMessage `json:"data"`
}

// recordParams are cloudflare-go's request types of the record types the double serves.
func recordParams(recordType string) (any, bool) {
	switch recordType {
	case "A":
		return &dns.ARecordParam{}, true
	case "AAAA":
		return &dns.AAAARecordParam{}, true
	case "CNAME":
		return &dns.CNAMERecordParam{}, true
	case "TXT":
		return &dns.TXTRecordParam{}, true
	}
	return nil, false
}

// decodeRecord checks a record body against its type's cloudflare-go params type.
func decodeRecord(body []byte) (recordBody, *failure) {
	tree, err := parseJSON(body)
	if err != nil {
		return recordBody{}, badRequest(err)
	}
	object, _ := tree.(map[string]any)
	recordType, ok := object["type"].(string)
	if !ok {
		return recordBody{}, badRequest(fmt.Errorf("type: is required, a string such as A, AAAA, CNAME or TXT"))
	}
	params, served := recordParams(recordType)
	if !served {
		if dns.RecordListParamsType(recordType).IsKnown() {
			return recordBody{}, badRequest(fmt.Errorf("type: the double serves A, AAAA, CNAME and TXT records, not %s", recordType))
		}
		return recordBody{}, badRequest(fmt.Errorf("type: %q is not a DNS record type Cloudflare's API allows", recordType))
	}
	if err := decodeBody(body, params); err != nil {
		return recordBody{}, badRequest(err)
	}
	var out recordBody
	if err := json.Unmarshal(body, &out); err != nil {
		return recordBody{}, badRequest(err)
	}
	return out, nil
}

// normalizeName is how Cloudflare stores a record name: lower case, no trailing dot, `@` for the
// zone apex, and a name outside the zone taken as relative to it (`kch` is kch.fitfile.net).
func normalizeName(name, zone string) (string, *failure) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	switch {
	case n == "":
		return "", dnsValidation(9000, "DNS name is invalid: it is empty.")
	case n == "@":
		n = zone
	case n != zone && !strings.HasSuffix(n, "."+zone):
		n = n + "." + zone
	}
	if len(n) > 253 {
		return "", dnsValidation(9000, "DNS name is invalid: longer than 253 characters.")
	}
	for i, label := range strings.Split(n, ".") {
		if label == "" || len(label) > 63 {
			return "", dnsValidation(9000, "DNS name is invalid: every label needs 1 to 63 characters.")
		}
		for _, c := range label {
			if c > 127 {
				return "", dnsValidation(9000, "DNS name is invalid: the double takes names in Punycode only.")
			}
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '*' && i == 0 && label == "*") {
				return "", dnsValidation(9000, "DNS name is invalid: %q is not allowed in a host name.", c)
			}
		}
	}
	return n, nil
}

// proxiable tells whether Cloudflare can proxy a record: A, AAAA and CNAME records, and of the
// address records only those pointing at a public address.
func proxiable(recordType, content string) bool {
	switch recordType {
	case "CNAME":
		return true
	case "A", "AAAA":
		addr, err := netip.ParseAddr(content)
		return err == nil && addr.IsGlobalUnicast() && !addr.IsPrivate()
	}
	return false
}

// validate turns a checked body into the record Cloudflare would store, or the error it answers.
func (s *Server) validate(zone Zone, body recordBody) (*record, *failure) {
	name, f := normalizeName(body.Name, zone.Name)
	if f != nil {
		return nil, f
	}
	r := &record{ZoneID: zone.ID, Name: name, Type: body.Type, Content: body.Content, Settings: body.Settings}
	if r.Settings == nil {
		r.Settings = map[string]any{}
	}
	switch body.Type {
	case "A":
		if addr, err := netip.ParseAddr(body.Content); err != nil || !addr.Is4() {
			return nil, dnsValidation(9005, "Content for A record must be a valid IPv4 address.")
		}
	case "AAAA":
		if addr, err := netip.ParseAddr(body.Content); err != nil || !addr.Is6() || addr.Is4In6() {
			return nil, dnsValidation(9006, "Content for AAAA record must be a valid IPv6 address.")
		}
	case "CNAME":
		target := strings.TrimSuffix(strings.ToLower(body.Content), ".")
		if target == "" {
			return nil, dnsValidation(9007, "Content for CNAME record is invalid.")
		}
		if target == name {
			return nil, dnsValidation(9039, "CNAME content cannot reference itself.")
		}
		r.Content = target
	}
	if body.Proxied != nil {
		r.Proxied = *body.Proxied
	}
	if r.Proxied && !proxiable(r.Type, r.Content) {
		return nil, dnsValidation(9004, "This record type cannot be proxied.")
	}
	switch {
	case r.Proxied:
		// A proxied record's TTL is automatic, whatever was asked.
		r.TTL = 1
	case body.TTL == 1 || body.TTL >= 60 && body.TTL <= 86400 && body.TTL == float64(int64(body.TTL)):
		r.TTL = body.TTL
	default:
		return nil, dnsValidation(9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.")
	}
	if body.Comment != nil {
		r.Comment = *body.Comment
	}
	if n := len([]rune(r.Comment)); n > commentLimit {
		return nil, dnsValidation(9100, "DNS record comment is too long: %d characters, the zone's plan allows %d.", n, commentLimit)
	}
	if len(body.Tags) > 0 {
		return nil, dnsValidation(9101, "DNS record tags are not available on the zone's plan (Free).")
	}
	return r, nil
}

// conflict is the error Cloudflare answers for a record beside another of the same name: an
// identical one (81058), or a CNAME with anything else (81053 when both are address or CNAME
// records, 81054 for another type beside a CNAME).
func (s *Server) conflict(r *record) *failure {
	for _, id := range s.order {
		other := s.records[id]
		if other.ID == r.ID || other.ZoneID != r.ZoneID || other.Name != r.Name {
			continue
		}
		if other.Type == r.Type && strings.EqualFold(other.Content, r.Content) {
			return fail(http.StatusBadRequest, 81058, "An identical record already exists.")
		}
		address := func(t string) bool { return t == "A" || t == "AAAA" || t == "CNAME" }
		if r.Type == "CNAME" || other.Type == "CNAME" {
			if address(r.Type) && address(other.Type) || r.Type == "CNAME" {
				return fail(http.StatusBadRequest, 81053, "An A, AAAA, or CNAME record with that host already exists.")
			}
			return fail(http.StatusBadRequest, 81054, "A CNAME record with that host already exists.")
		}
	}
	return nil
}

// recordJSON is a record as Cloudflare answers it (dns.RecordResponse).
func recordJSON(r *record) map[string]any {
	out := map[string]any{
		"id":          r.ID,
		"name":        r.Name,
		"type":        r.Type,
		"content":     r.Content,
		"proxiable":   proxiable(r.Type, r.Content),
		"proxied":     r.Proxied,
		"ttl":         r.TTL,
		"settings":    r.Settings,
		"meta":        map[string]any{},
		"comment":     nil,
		"tags":        []string{},
		"created_on":  timestamp(r.Created),
		"modified_on": timestamp(r.Modified),
	}
	if r.Comment != "" {
		out["comment"] = r.Comment
		out["comment_modified_on"] = timestamp(r.CommentModified)
	}
	return out
}

func (s *Server) findRecord(zone Zone, id string) (*record, *failure) {
	r, ok := s.records[id]
	if !ok || r.ZoneID != zone.ID {
		return nil, notFound("Record")
	}
	return r, nil
}

// incoming is the record a create or an update asks for, with the given id: checked against its
// type, validated and free of conflicts with the zone's other records.
func (s *Server) incoming(zone Zone, id string, body []byte) (*record, *failure) {
	decoded, f := decodeRecord(body)
	if f != nil {
		return nil, f
	}
	r, f := s.validate(zone, decoded)
	if f != nil {
		return nil, f
	}
	r.ID = id
	if f := s.conflict(r); f != nil {
		return nil, f
	}
	return r, nil
}

func (s *Server) createRecord(zone Zone, query url.Values, body []byte) (any, *resultInfo, *failure) {
	var params dns.RecordNewParams
	if err := decodeQuery(query, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	r, f := s.incoming(zone, randomHex(16), body)
	if f != nil {
		return nil, nil, f
	}
	r.Created = s.now()
	r.Modified = r.Created
	r.CommentModified = r.Created
	s.records[r.ID] = r
	s.order = append(s.order, r.ID)
	return recordJSON(r), nil, nil
}

func (s *Server) getRecord(zone Zone, id string, query url.Values) (any, *resultInfo, *failure) {
	var params dns.RecordGetParams
	if err := decodeQuery(query, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	r, f := s.findRecord(zone, id)
	if f != nil {
		return nil, nil, f
	}
	return recordJSON(r), nil, nil
}

// updateRecord overwrites a record (PUT), as terraform-provider-cloudflare updates one.
func (s *Server) updateRecord(zone Zone, id string, query url.Values, body []byte) (any, *resultInfo, *failure) {
	var params dns.RecordUpdateParams
	if err := decodeQuery(query, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	old, f := s.findRecord(zone, id)
	if f != nil {
		return nil, nil, f
	}
	r, f := s.incoming(zone, old.ID, body)
	if f != nil {
		return nil, nil, f
	}
	r.Created = old.Created
	r.Modified = s.now()
	r.CommentModified = old.CommentModified
	if r.Comment != old.Comment {
		r.CommentModified = r.Modified
	}
	s.records[r.ID] = r
	return recordJSON(r), nil, nil
}

func (s *Server) deleteRecord(zone Zone, id string, query url.Values, body []byte) (any, *resultInfo, *failure) {
	if f := noQuery(query); f != nil {
		return nil, nil, f
	}
	if f := noBody(body); f != nil {
		return nil, nil, f
	}
	if _, f := s.findRecord(zone, id); f != nil {
		return nil, nil, f
	}
	delete(s.records, id)
	for i, other := range s.order {
		if other == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	return map[string]any{"id": id}, nil, nil
}

// textFilter applies one of the list's name, content or comment filters (case-insensitive).
func textFilter(value string, exact, contains, startswith, endswith opt) []bool {
	v := strings.ToLower(value)
	checks := []bool{}
	if exact.set {
		checks = append(checks, v == strings.ToLower(exact.value))
	}
	if contains.set {
		checks = append(checks, strings.Contains(v, strings.ToLower(contains.value)))
	}
	if startswith.set {
		checks = append(checks, strings.HasPrefix(v, strings.ToLower(startswith.value)))
	}
	if endswith.set {
		checks = append(checks, strings.HasSuffix(v, strings.ToLower(endswith.value)))
	}
	return checks
}

// opt is one text filter of the list: whether it was given, and its value.
type opt struct {
	set   bool
	value string
}

func (s *Server) listRecords(zone Zone, query url.Values) (any, *resultInfo, *failure) {
	var p dns.RecordListParams
	if err := decodeQuery(query, &p); err != nil {
		return nil, nil, badRequest(err)
	}
	for key := range query {
		if strings.HasPrefix(key, "tag") || key == "search" || strings.HasPrefix(key, "shadow") {
			return nil, nil, badRequest(fmt.Errorf("query parameter %s: the double does not filter by it (tags, search and shadowing are not served)", key))
		}
	}
	n, c, cm := p.Name.Value, p.Content.Value, p.Comment.Value
	matches := []*record{}
	for _, id := range s.order {
		r := s.records[id]
		if r.ZoneID != zone.ID {
			continue
		}
		checks := textFilter(r.Name, opt{n.Exact.Present, n.Exact.Value}, opt{n.Contains.Present, n.Contains.Value}, opt{n.Startswith.Present, n.Startswith.Value}, opt{n.Endswith.Present, n.Endswith.Value})
		checks = append(checks, textFilter(r.Content, opt{c.Exact.Present, c.Exact.Value}, opt{c.Contains.Present, c.Contains.Value}, opt{c.Startswith.Present, c.Startswith.Value}, opt{c.Endswith.Present, c.Endswith.Value})...)
		checks = append(checks, textFilter(r.Comment, opt{cm.Exact.Present, cm.Exact.Value}, opt{cm.Contains.Present, cm.Contains.Value}, opt{cm.Startswith.Present, cm.Startswith.Value}, opt{cm.Endswith.Present, cm.Endswith.Value})...)
		if cm.Present.Present {
			checks = append(checks, r.Comment != "")
		}
		if cm.Absent.Present {
			checks = append(checks, r.Comment == "")
		}
		if p.Type.Present {
			checks = append(checks, r.Type == string(p.Type.Value))
		}
		if p.Proxied.Present {
			checks = append(checks, r.Proxied == p.Proxied.Value)
		}
		if allOrAny(checks, p.Match.Value == dns.RecordListParamsMatchAny) {
			matches = append(matches, r)
		}
	}
	key := func(r *record) string {
		switch p.Order.Value {
		case dns.RecordListParamsOrderName:
			return r.Name
		case dns.RecordListParamsOrderContent:
			return r.Content
		case dns.RecordListParamsOrderTTL:
			return fmt.Sprintf("%012.0f", r.TTL)
		case dns.RecordListParamsOrderProxied:
			return fmt.Sprint(r.Proxied)
		}
		return r.Type
	}
	sort.SliceStable(matches, func(i, j int) bool {
		if p.Direction.Value == "desc" {
			return key(matches[i]) > key(matches[j])
		}
		return key(matches[i]) < key(matches[j])
	})
	return page(matches, p.Page.Value, p.PerPage.Value, 100, 5000000, recordJSON)
}
