package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitAfterReportingError is the exit code with which @pulumi/pulumi's cmd/run says that it has
// already shown the user an actionable error; the engine then stops without a message of its own.
const exitAfterReportingError = 32

// sdkPackage is the npm package that holds the scripts that start programs and plugins.
const sdkPackage = "@pulumi/pulumi"

// resolveScript is run by node to resolve a module the way the program itself would: from dir,
// through the node_modules folders of dir and its parents. It prints the resolved path.
const resolveScript = `const [mod, dir] = process.argv.slice(1);
try {
  console.log(require.resolve(mod, { paths: [dir] }));
} catch (err) {
  if (err && err.code === "MODULE_NOT_FOUND") { process.exit(3); }
  console.error(err && err.message ? err.message : String(err));
  process.exit(1);
}`

// errNotInstalled says that @pulumi/pulumi cannot be loaded from a directory.
type errNotInstalled struct{ dir string }

func (e errNotInstalled) Error() string {
	return fmt.Sprintf("the Pulumi Node.js SDK (%s) is not installed for %s; run `npm ci` in %s",
		sdkPackage, e.dir, e.dir)
}

// resolveModule asks node where mod resolves from dir.
func resolveModule(ctx context.Context, node, mod, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", resolveScript, mod, dir)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && exitErr.ExitCode() == 3 {
			return "", errNotInstalled{dir: dir}
		}
		return "", fmt.Errorf("could not resolve %s from %s: %v: %s", mod, dir, err, strings.TrimSpace(stderr.String()))
	}
	path := strings.TrimSpace(string(out))
	if path == "" {
		return "", fmt.Errorf("node resolved %s from %s to nothing", mod, dir)
	}
	return path, nil
}

// programDirectory is the directory the engine runs a program or plugin from: the program info's
// program directory, or the older pwd field.
func programDirectory(info *pulumirpc.ProgramInfo, pwd string) string {
	if dir := info.GetProgramDirectory(); dir != "" {
		return dir
	}
	if pwd != "" {
		return pwd
	}
	wd, _ := os.Getwd()
	return wd
}

// Run runs a Pulumi program: node [nodeargs] <@pulumi/pulumi/cmd/run> <flags> <entry point> [args].
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDirectory(req.GetInfo(), req.GetPwd())
	fail := func(format string, args ...any) (*pulumirpc.RunResponse, error) {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(format, args...)}, nil
	}

	opts, err := optionsOf(req.GetInfo())
	if err != nil {
		return fail("%v", err)
	}
	nodeArgs, err := splitArgs(opts.nodeargs)
	if err != nil {
		return fail("the runtime option 'nodeargs' is invalid: %v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fail("could not find node on $PATH: %v", err)
	}
	script, err := resolveModule(ctx, node, sdkPackage+"/cmd/run", dir)
	if err != nil {
		return fail("%v", err)
	}

	config, err := json.Marshal(nonNilMap(req.GetConfig()))
	if err != nil {
		return fail("could not serialize the configuration: %v", err)
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return fail("could not serialize the secret configuration keys: %v", err)
	}

	args := append([]string{}, nodeArgs...)
	args = append(args, script)
	args = append(args, h.runFlags(req, dir)...)
	args = append(args, entryPoint(req))
	args = append(args, req.GetArgs()...)

	env := os.Environ()
	env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	env = append(env, opts.env()...)

	runCtx, cancel := h.withCancel(ctx)
	defer cancel()
	cmd := nodeCommand(runCtx, node, args)
	cmd.Dir = dir
	cmd.Env = env
	// Not os.Stdout/os.Stderr themselves: node may switch its stdio to non-blocking mode, which would
	// leak into our own descriptors. Wrapped writers make exec copy through pipes instead.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}

	logging.V(5).Infof("running %s in %s", cmd, dir)
	err = cmd.Run()
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return fail("could not run the program with node: %v", err)
	}
	switch code := exitErr.ExitCode(); code {
	case exitAfterReportingError:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case -1:
		return fail("Program exited unexpectedly: %v", exitErr)
	default:
		return fail("Program exited with non-zero exit code: %d", code)
	}
}

// runFlags are the flags of @pulumi/pulumi's cmd/run (minimist, see nodejs/cmd/run/index.ts).
func (h *host) runFlags(req *pulumirpc.RunRequest, dir string) []string {
	var flags []string
	add := func(name, value string) {
		if value != "" {
			flags = append(flags, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", dir)
	if req.GetDryRun() {
		flags = append(flags, "--dry-run")
	}
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	return flags
}

// entryPoint is the program to run, relative to the program directory; "." lets cmd/run pick the
// package's main.
func entryPoint(req *pulumirpc.RunRequest) string {
	if ep := req.GetInfo().GetEntryPoint(); ep != "" {
		return ep
	}
	if p := req.GetProgram(); p != "" {
		return p
	}
	return "."
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
