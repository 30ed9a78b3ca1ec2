// Command git-https serves the git repositories under one folder over HTTPS on one loopback
// address with git's own smart HTTP backend (git http-backend), the protocol Argo CD's
// repo-server fetches with: the e2e environment's chart source, reachable with no network.
//
// It serves fetches only: git http-backend refuses pushes from a client it knows no user of
// (REMOTE_USER is never set here; git-http-backend(1), http.receivepack).
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"ffnodes.e2e/tools/argocd/internal/loopback"
)

func main() {
	listen := flag.String("listen", "", "the loopback host:port to serve on")
	root := flag.String("root", "", "the folder whose git repositories are served, each at /<name>")
	cert := flag.String("cert", "", "the server's certificate (PEM)")
	key := flag.String("key", "", "the certificate's private key (PEM)")
	flag.Parse()
	fail := func(code int, format string, args ...any) {
		fmt.Fprintf(os.Stderr, "git-https: "+format+"\n", args...)
		os.Exit(code)
	}
	if err := loopback.Check(*listen); err != nil {
		fail(2, "--listen: %v", err)
	}
	for flagName, value := range map[string]string{"--root": *root, "--cert": *cert, "--key": *key} {
		if value == "" {
			fail(2, "%s is required", flagName)
		}
	}
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		fail(1, "finding git's programs (git --exec-path): %v", err)
	}
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + *root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	server := &http.Server{Addr: *listen, Handler: backend, ReadHeaderTimeout: 10 * time.Second}
	fail(1, "%v", server.ListenAndServeTLS(*cert, *key))
}
