// Command redis is the cache of the e2e environment's Argo CD controllers and repo-server: an
// in-memory Redis (miniredis, as Argo CD's own headless mode runs it) on one loopback address.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/alicebob/miniredis/v2"

	"ffnodes.e2e/tools/argocd/internal/loopback"
)

func main() {
	listen := flag.String("listen", "", "the loopback host:port to serve on")
	flag.Parse()
	if err := loopback.Check(*listen); err != nil {
		fmt.Fprintf(os.Stderr, "redis: --listen: %v\n", err)
		os.Exit(2)
	}
	if err := miniredis.NewMiniRedis().StartAddr(*listen); err != nil {
		fmt.Fprintf(os.Stderr, "redis: %v\n", err)
		os.Exit(1)
	}
	select {}
}
