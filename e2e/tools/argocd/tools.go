//go:build tools

// The programs this module builds from other modules (targets), required here so that go.mod
// and go.sum pin them.
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
	_ "helm.sh/helm/v3/cmd/helm"
)
