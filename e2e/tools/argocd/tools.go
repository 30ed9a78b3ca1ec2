//go:build tools

// The program this module builds from another module's main (targets), required here so that
// go.mod and go.sum pin it.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
