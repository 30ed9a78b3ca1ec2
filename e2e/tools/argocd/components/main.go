// components is Argo CD as the component it is named after, like Argo CD's own multicall main
// (cmd/main.go), but with only the three components the e2e runs. Argo CD's CLI, API server, Dex
// and notifications are not compiled, which keeps the toolchain's cold build shorter.
package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	applicationset "github.com/argoproj/argo-cd/v3/cmd/argocd-applicationset-controller/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/util/log"
)

var components = map[string]func() *cobra.Command{
	"argocd-application-controller":    appcontroller.NewCommand,
	"argocd-applicationset-controller": applicationset.NewCommand,
	"argocd-repo-server":               reposerver.NewCommand,
}

func main() {
	// As Argo CD's main does: klog (client-go's logger) logs at Argo CD's level and in its format.
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
	name := filepath.Base(os.Args[0])
	if fromEnv := os.Getenv("ARGOCD_BINARY_NAME"); fromEnv != "" {
		name = fromEnv
	}
	newCommand, known := components[name]
	if !known {
		names := strings.Join(slices.Sorted(maps.Keys(components)), ", ")
		fmt.Fprintf(os.Stderr, "%s: run this binary as one of %s (a link of that name, or ARGOCD_BINARY_NAME)\n", name, names)
		os.Exit(2)
	}
	if newCommand().Execute() != nil {
		os.Exit(1)
	}
}
