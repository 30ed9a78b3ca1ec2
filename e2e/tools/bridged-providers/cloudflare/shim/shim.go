// Package shim exposes the Cloudflare provider, whose constructor upstream keeps internal.
package shim

import (
	"github.com/cloudflare/terraform-provider-cloudflare/internal"
	"github.com/hashicorp/terraform-plugin-framework/provider"
)

func NewProvider(version string) provider.Provider { return internal.NewProvider(version)() }
