package main

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v7/zones"
)

// The account every zone of the double belongs to.
var account = map[string]string{"id": zoneID("account"), "name": "ffnodes e2e"}

// zonesCreated is when the double's zones claim to have been created and activated.
var zonesCreated = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func (s *Server) zone(id string) (Zone, *failure) {
	for _, z := range s.zones {
		if z.ID == id {
			return z, nil
		}
	}
	return Zone{}, fail(http.StatusNotFound, 7003, "Could not route to /zones/%s, perhaps your object identifier is invalid?", id)
}

// zoneJSON is a zone as Cloudflare answers it (zones.Zone), active on the Free plan.
func zoneJSON(z Zone) map[string]any {
	return map[string]any{
		"id":                    z.ID,
		"name":                  z.Name,
		"status":                "active",
		"paused":                false,
		"type":                  "full",
		"development_mode":      0,
		"name_servers":          []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"},
		"original_name_servers": nil,
		"original_registrar":    nil,
		"original_dnshost":      nil,
		"created_on":            timestamp(zonesCreated),
		"modified_on":           timestamp(zonesCreated),
		"activated_on":          timestamp(zonesCreated),
		"meta":                  map[string]any{"step": 2, "custom_certificate_quota": 0, "page_rule_quota": 3, "phishing_detected": false, "cdn_only": false, "dns_only": false, "foundation_dns": false},
		"owner":                 map[string]any{"id": nil, "name": nil, "type": "user"},
		"account":               account,
		"permissions":           []string{"#dns_records:read", "#dns_records:edit", "#ssl:read", "#ssl:edit", "#zone:read"},
		"plan": map[string]any{
			"id": "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "name": "Free Website", "price": 0, "currency": "USD", "frequency": "",
			"is_subscribed": false, "can_subscribe": false, "legacy_id": "free", "legacy_discount": false, "externally_managed": false,
		},
	}
}

// matchName applies the zones list's name filter: a name, or an operator and a name
// (`starts_with:fit`), case-insensitive unless the operator ends in _case_sensitive.
func matchName(filter, name string) (bool, error) {
	op, value, found := strings.Cut(filter, ":")
	if !found {
		op, value = "equal", filter
	}
	fold := func(s string) string { return strings.ToLower(s) }
	if base, ok := strings.CutSuffix(op, "_case_sensitive"); ok {
		op, fold = base, func(s string) string { return s }
	}
	n, v := fold(name), fold(value)
	switch op {
	case "equal":
		return n == v, nil
	case "not_equal":
		return n != v, nil
	case "starts_with":
		return strings.HasPrefix(n, v), nil
	case "ends_with":
		return strings.HasSuffix(n, v), nil
	case "contains":
		return strings.Contains(n, v), nil
	}
	return false, fmt.Errorf("query parameter name: unknown operator %q (equal, not_equal, starts_with, ends_with, contains, each also *_case_sensitive but equal and not_equal)", op)
}

func (s *Server) listZones(query url.Values) (any, *resultInfo, *failure) {
	var params zones.ZoneListParams
	if err := decodeQuery(query, &params); err != nil {
		return nil, nil, badRequest(err)
	}
	matches := []Zone{}
	for _, z := range s.zones {
		checks := []bool{}
		if params.Name.Present {
			ok, err := matchName(params.Name.Value, z.Name)
			if err != nil {
				return nil, nil, badRequest(err)
			}
			checks = append(checks, ok)
		}
		if params.Status.Present {
			checks = append(checks, params.Status.Value == zones.ZoneListParamsStatusActive)
		}
		if params.Account.Value.ID.Present {
			checks = append(checks, params.Account.Value.ID.Value == account["id"])
		}
		if params.Account.Value.Name.Present {
			ok, err := matchName(params.Account.Value.Name.Value, account["name"])
			if err != nil {
				return nil, nil, badRequest(err)
			}
			checks = append(checks, ok)
		}
		if allOrAny(checks, params.Match.Value == zones.ZoneListParamsMatchAny) {
			matches = append(matches, z)
		}
	}
	sort.Slice(matches, func(i, j int) bool { return matches[i].Name < matches[j].Name })
	if params.Direction.Value == zones.ZoneListParamsDirectionDesc {
		sort.Slice(matches, func(i, j int) bool { return matches[i].Name > matches[j].Name })
	}
	return page(matches, params.Page.Value, params.PerPage.Value, 20, 50, zoneJSON)
}

// allOrAny combines a list's filters: all must hold (match=all, the default) or one (match=any).
func allOrAny(checks []bool, anyOf bool) bool {
	if len(checks) == 0 {
		return true
	}
	for _, ok := range checks {
		if ok == anyOf {
			return anyOf
		}
	}
	return !anyOf
}

func (s *Server) getZone(id string, query url.Values) (any, *resultInfo, *failure) {
	if f := noQuery(query); f != nil {
		return nil, nil, f
	}
	z, f := s.zone(id)
	if f != nil {
		return nil, nil, f
	}
	return zoneJSON(z), nil, nil
}
