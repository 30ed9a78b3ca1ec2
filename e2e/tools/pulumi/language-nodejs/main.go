// Command pulumi-language-nodejs is a small Node.js language host for the e2e toolchain.
//
// The Go module proxy serves no version of Pulumi's own Node.js language host module, so this one is
// built beside the CLI from the same pinned sdk/v3. It implements the part of the LanguageRuntime
// service that the e2e tests need: running programs (Run), running policy packs and other Node.js
// plugins (RunPlugin), and reporting the packages a program needs. Everything else (code generation,
// Link, Pack, the deprecated GetRequiredPlugins, ...) answers codes.Unimplemented.
//
// The engine starts it as `pulumi-language-nodejs [-logtostderr] [-v=N] [-tracing URL] <engine address>`;
// it serves on 127.0.0.1 on a port the kernel picks and prints that port on stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is set at link time: -X=main.version=<sdk version> (see ../targets).
var version = "0.0.0-dev"

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	// The engine passes these to every plugin it starts (see buildPluginArguments in sdk/v3); they must
	// parse, and logging.InitLogging reads them back from flag.CommandLine. (glog, which some of our
	// dependencies link in, may have registered them already.)
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "log to stderr instead of to a file")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "log verbosity")
	}
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (accepted and ignored)")
	flag.Parse()

	if *showVersion {
		fmt.Println(version)
		return
	}
	logging.InitLogging(false, 0, false)

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	// SIGINT/SIGTERM (the engine interrupts the plugin's process group when it shuts down) or a dead
	// engine stop the server; running node processes are stopped along with it.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, time.Minute, cancel); err != nil {
			fatalf("could not start the engine health check: %v", err)
		}
	}

	host := newHost(engineAddress)
	serverCancel := make(chan bool)
	go func() {
		<-ctx.Done()
		host.stopAll()
		close(serverCancel)
	}()

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: serverCancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fatalf("could not start the language host RPC server: %v", err)
	}

	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fatalf("language host RPC server stopped: %v", err)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "error: "+format+"\n", args...)
	os.Exit(1)
}

// host implements pulumirpc.LanguageRuntimeServer.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	// cancelled is closed by the Cancel RPC (or when the host shuts down); every node process we start
	// is interrupted when it is.
	cancelled chan struct{}
	cancelMu  sync.Once
}

func newHost(engineAddress string) *host {
	return &host{engineAddress: engineAddress, cancelled: make(chan struct{})}
}

func (h *host) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// stopAll interrupts every node process this host started and refuses to start new ones.
func (h *host) stopAll() {
	h.cancelMu.Do(func() { close(h.cancelled) })
}

// withCancel derives a context that also ends when the host is cancelled.
func (h *host) withCancel(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-h.cancelled:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// nodeCommand builds a node command that is interrupted (SIGINT, then killed after a grace period)
// when ctx ends. It stays in our process group, so the engine's group-wide interrupt and kill reach
// it too, and nothing outlives the host.
func nodeCommand(ctx context.Context, node string, args []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.mu.Lock()
		h.engineAddress = req.GetEngineAddress()
		h.mu.Unlock()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *host) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	h.stopAll()
	return &emptypb.Empty{}, nil
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("could not run %s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// options are the runtime options of Pulumi.yaml (or PulumiPolicy.yaml / PulumiPlugin.yaml) that this
// host understands: runtime: {name: nodejs, options: {typescript, tsconfig, nodeargs}}.
type options struct {
	typescript bool   // run the program through ts-node (default true, as with Pulumi's own host)
	tsconfig   string // tsconfig path for ts-node
	nodeargs   string // extra arguments for node, split like a shell would
}

func parseOptions(raw map[string]any) (options, error) {
	opts := options{typescript: true}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("the runtime option 'typescript' must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("the runtime option 'tsconfig' must be a string")
		}
		opts.tsconfig = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("the runtime option 'nodeargs' must be a string")
		}
		opts.nodeargs = s
	}
	return opts, nil
}

// env returns the variables that pass the options on to @pulumi/pulumi's cmd/run.
func (o options) env() []string {
	var env []string
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

func optionsOf(info *pulumirpc.ProgramInfo) (options, error) {
	if info == nil || info.GetOptions() == nil {
		return parseOptions(nil)
	}
	return parseOptions(info.GetOptions().AsMap())
}
