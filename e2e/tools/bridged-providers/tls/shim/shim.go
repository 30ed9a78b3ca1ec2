// Package shim exposes the TLS provider, whose constructor upstream keeps internal.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	tls "github.com/hashicorp/terraform-provider-tls/internal/provider"
)

func NewProvider() provider.Provider { return tls.New() }
