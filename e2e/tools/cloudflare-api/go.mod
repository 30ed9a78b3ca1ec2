module ffnodes.e2e/tools/cloudflare-api

go 1.22.0

// Cloudflare's Go library, generated from Cloudflare's OpenAPI document: the double decodes every
// request with its dns, zones and origin_ca_certificates types. v7.9.0 is the /v7 that
// terraform-provider-cloudflare's served pseudo-version requires beside /v6.
require github.com/cloudflare/cloudflare-go/v7 v7.9.0

require (
	github.com/tidwall/gjson v1.14.4 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
)
