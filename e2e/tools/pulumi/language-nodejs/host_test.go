package main

// How the host starts a program and a plugin, and how it reports their failures: against the real
// node on PATH, with a stand-in @pulumi/pulumi whose cmd/run, cmd/run-plugin and
// cmd/run-policy-pack record what they were started with and exit as told (FAKE_EXIT).

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

// recordScript is each stand-in command: it writes what it saw to $FAKE_RECORD, prints a line on
// stdout (unless $FAKE_QUIET) and on stderr, and exits with $FAKE_EXIT.
const recordScript = `const fs = require("fs");
const pick = (names) => Object.fromEntries(names.filter((n) => n in process.env).map((n) => [n, process.env[n]]));
fs.writeFileSync(process.env.FAKE_RECORD, JSON.stringify({
  script: __filename,
  argv: process.argv.slice(2),
  execArgv: process.execArgv,
  cwd: process.cwd(),
  env: pick(["PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS", "PULUMI_NODEJS_TYPESCRIPT", "PULUMI_NODEJS_TSCONFIG_PATH", "PULUMI_NODEJS_PROJECT", "PULUMI_NODEJS_STACK", "FROM_REQUEST"]),
}));
if (!process.env.FAKE_QUIET) console.log("out from " + require("path").basename(__dirname));
console.error("err from " + require("path").basename(__dirname));
process.exit(Number(process.env.FAKE_EXIT || 0));
`

type record struct {
	Script   string            `json:"script"`
	Argv     []string          `json:"argv"`
	ExecArgv []string          `json:"execArgv"`
	Cwd      string            `json:"cwd"`
	Env      map[string]string `json:"env"`
}

// project makes a program directory with the stand-in SDK installed, and points FAKE_RECORD into it.
func project(t *testing.T, exit string) (dir string, read func() record) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir = t.TempDir()
	sdk := filepath.Join(dir, "node_modules", "@pulumi", "pulumi")
	for _, cmd := range []string{"run", "run-plugin", "run-policy-pack"} {
		if err := os.MkdirAll(filepath.Join(sdk, "cmd", cmd), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sdk, "cmd", cmd, "index.js"), []byte(recordScript), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(sdk, "package.json"), []byte(`{"name":"@pulumi/pulumi","version":"3.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "record.json")
	t.Setenv("FAKE_RECORD", file)
	t.Setenv("FAKE_EXIT", exit)
	return dir, func() record {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("the stand-in was not started: %v", err)
		}
		var r record
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func runtimeOptions(t *testing.T, options map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(options)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunStartsTheProgramThroughCmdRun(t *testing.T) {
	dir, read := project(t, "0")
	h := newHost("127.0.0.1:1")
	res, err := h.Run(context.Background(), &pulumirpc.RunRequest{
		MonitorAddress:   "127.0.0.1:2",
		Project:          "ffnodes",
		Stack:            "ff-a-prod",
		Organization:     "org",
		Parallel:         4,
		DryRun:           true,
		Config:           map[string]string{"vault:address": "http://vault"},
		ConfigSecretKeys: []string{"vault:token"},
		Args:             []string{"extra"},
		Info: &pulumirpc.ProgramInfo{
			RootDirectory:    "/project",
			ProgramDirectory: dir,
			EntryPoint:       "src/index.ts",
			Options:          runtimeOptions(t, map[string]any{"nodeargs": "--no-deprecation --max-old-space-size=512", "tsconfig": "tsconfig.pulumi.json"}),
		},
	})
	if err != nil || res.GetError() != "" || res.GetBail() {
		t.Fatalf("Run = %v, %v", res, err)
	}
	r := read()
	if want := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js"); r.Script != want {
		t.Errorf("ran %s, want %s", r.Script, want)
	}
	wantArgv := []string{
		"--monitor", "127.0.0.1:2", "--engine", "127.0.0.1:1", "--organization", "org", "--project", "ffnodes",
		"--root-directory", "/project", "--stack", "ff-a-prod", "--pwd", dir, "--dry-run", "--parallel", "4",
		"src/index.ts", "extra",
	}
	if !reflect.DeepEqual(r.Argv, wantArgv) {
		t.Errorf("argv = %q, want %q", r.Argv, wantArgv)
	}
	if want := []string{"--no-deprecation", "--max-old-space-size=512"}; !reflect.DeepEqual(r.ExecArgv, want) {
		t.Errorf("node's own arguments = %q, want %q", r.ExecArgv, want)
	}
	if r.Cwd != dir {
		t.Errorf("ran in %s, want the program directory %s", r.Cwd, dir)
	}
	wantEnv := map[string]string{
		"PULUMI_CONFIG":               `{"vault:address":"http://vault"}`,
		"PULUMI_CONFIG_SECRET_KEYS":   `["vault:token"]`,
		"PULUMI_NODEJS_TYPESCRIPT":    "true",
		"PULUMI_NODEJS_TSCONFIG_PATH": "tsconfig.pulumi.json",
	}
	if !reflect.DeepEqual(r.Env, wantEnv) {
		t.Errorf("env = %v, want %v", r.Env, wantEnv)
	}
}

func TestRunDefaultsToThePackagesMainWithoutTypeScriptWhenToldSo(t *testing.T) {
	dir, read := project(t, "0")
	res, err := newHost("").Run(context.Background(), &pulumirpc.RunRequest{
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir, Options: runtimeOptions(t, map[string]any{"typescript": false})},
	})
	if err != nil || res.GetError() != "" {
		t.Fatalf("Run = %v, %v", res, err)
	}
	r := read()
	if got := r.Argv[len(r.Argv)-1]; got != "." {
		t.Errorf("entry point %q, want \".\" (the package's main)", got)
	}
	if _, set := r.Env["PULUMI_NODEJS_TYPESCRIPT"]; set {
		t.Errorf("PULUMI_NODEJS_TYPESCRIPT is set with typescript: false")
	}
	for _, arg := range r.Argv {
		if arg == "--dry-run" || arg == "--engine" {
			t.Errorf("argv %q holds %s, which the request did not ask for", r.Argv, arg)
		}
	}
}

func TestRunReportsFailures(t *testing.T) {
	tests := []struct {
		name      string
		exit      string
		options   map[string]any
		noSDK     bool
		noNode    bool
		wantBail  bool
		wantError string
	}{
		{name: "the program reported its own error (cmd/run's exit 32)", exit: "32", wantBail: true},
		{name: "the program failed", exit: "7", wantError: "Program exited with non-zero exit code: 7"},
		{name: "the SDK is not installed", exit: "0", noSDK: true, wantError: "is not installed for"},
		{name: "unbalanced quotes in nodeargs", exit: "0", options: map[string]any{"nodeargs": `--title="x`}, wantError: "the runtime option 'nodeargs' is invalid"},
		{name: "typescript is not a boolean", exit: "0", options: map[string]any{"typescript": "yes"}, wantError: "the runtime option 'typescript' must be a boolean"},
		{name: "nodeargs is not a string", exit: "0", options: map[string]any{"nodeargs": 3}, wantError: "the runtime option 'nodeargs' must be a string"},
		{name: "node is not on PATH", exit: "0", noNode: true, wantError: "could not find node on $PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, _ := project(t, tt.exit)
			if tt.noSDK {
				dir = t.TempDir()
			}
			if tt.noNode {
				t.Setenv("PATH", t.TempDir())
			}
			info := &pulumirpc.ProgramInfo{ProgramDirectory: dir}
			if tt.options != nil {
				info.Options = runtimeOptions(t, tt.options)
			}
			res, err := newHost("").Run(context.Background(), &pulumirpc.RunRequest{Info: info})
			if err != nil {
				t.Fatalf("Run returned the error %v; failures are reported in the response", err)
			}
			if res.GetBail() != tt.wantBail {
				t.Errorf("Bail = %v, want %v", res.GetBail(), tt.wantBail)
			}
			if tt.wantError == "" && res.GetError() != "" || !strings.Contains(res.GetError(), tt.wantError) {
				t.Errorf("Error = %q, want it to hold %q", res.GetError(), tt.wantError)
			}
			if tt.noSDK && !strings.Contains(res.GetError(), "npm ci") {
				t.Errorf("Error = %q does not say to run npm ci", res.GetError())
			}
		})
	}
}

// pluginStream is the engine's end of RunPlugin: it collects what the plugin printed.
type pluginStream struct {
	grpc.ServerStream
	ctx            context.Context
	mu             sync.Mutex
	stdout, stderr strings.Builder
}

func (s *pluginStream) Context() context.Context { return s.ctx }

func (s *pluginStream) Send(res *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stdout.Write(res.GetStdout())
	s.stderr.Write(res.GetStderr())
	return nil
}

// firstLine waits for the first line of stdout, as the engine reads a plugin's port.
func (s *pluginStream) firstLine(t *testing.T) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.mu.Lock()
		out := s.stdout.String()
		s.mu.Unlock()
		if line, _, found := strings.Cut(out, "\n"); found {
			return line
		}
	}
	t.Fatal("the plugin printed no line on stdout")
	return ""
}

func TestRunPluginStartsAPluginThroughCmdRunPlugin(t *testing.T) {
	dir, read := project(t, "0")
	pwd := t.TempDir()
	stream := &pluginStream{ctx: context.Background()}
	err := newHost("").RunPlugin(&pulumirpc.RunPluginRequest{
		Name: "tool", Kind: "tool", Pwd: pwd, Args: []string{"a", "b"}, Env: []string{"FROM_REQUEST=1"},
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
	}, stream)
	if err != nil {
		t.Fatalf("RunPlugin: %v", err)
	}
	r := read()
	if want := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin", "index.js"); r.Script != want {
		t.Errorf("ran %s, want %s", r.Script, want)
	}
	if want := []string{dir, "a", "b"}; !reflect.DeepEqual(r.Argv, want) {
		t.Errorf("argv = %q, want %q", r.Argv, want)
	}
	if r.Cwd != pwd || r.Env["FROM_REQUEST"] != "1" {
		t.Errorf("ran in %s with %v, want %s and the request's variables", r.Cwd, r.Env, pwd)
	}
	if stream.stdout.String() != "out from run-plugin\n" || stream.stderr.String() != "err from run-plugin\n" {
		t.Errorf("streamed stdout %q, stderr %q", stream.stdout.String(), stream.stderr.String())
	}
}

func TestRunPluginReportsAFailedPlugin(t *testing.T) {
	dir, _ := project(t, "5")
	err := newHost("").RunPlugin(&pulumirpc.RunPluginRequest{Kind: "tool", Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir}}, &pluginStream{ctx: context.Background()})
	if err == nil || err.Error() != "Plugin exited with non-zero exit code: 5" {
		t.Errorf("RunPlugin = %v, want the plugin's exit code", err)
	}
}

func TestRunPluginStartsAPolicyPackWithItsStackAndReportsItsFailure(t *testing.T) {
	dir, read := project(t, "3")
	t.Setenv("FAKE_QUIET", "1") // no port: the pack fails before it serves
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stream := &pluginStream{ctx: ctx}
	done := make(chan error, 1)
	go func() {
		done <- newHost("").RunPlugin(&pulumirpc.RunPluginRequest{
			Kind: "analyzer", Args: []string{"127.0.0.1:9"}, Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir},
		}, stream)
	}()

	// As the engine: read the analyzer's port, then configure the stack, which starts the pack.
	conn, err := grpc.NewClient("127.0.0.1:"+stream.firstLine(t), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := pulumirpc.NewAnalyzerClient(conn).ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{
		Project: "ffnodes", Stack: "ff-a-prod", Config: map[string]string{"ffnodes:settings": "{}"},
	}); err != nil {
		t.Fatalf("ConfigureStack: %v", err)
	}

	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "policy pack failed (exit status 3)") {
			t.Errorf("RunPlugin = %v, want the pack's failure and exit status", err)
		}
	case <-ctx.Done():
		t.Fatal("RunPlugin did not return after the pack exited")
	}
	r := read()
	if want := filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack", "index.js"); r.Script != want {
		t.Errorf("ran %s, want %s", r.Script, want)
	}
	if want := []string{"127.0.0.1:9", dir}; !reflect.DeepEqual(r.Argv, want) || r.Cwd != dir {
		t.Errorf("argv = %q in %s, want %q in the pack's directory", r.Argv, r.Cwd, want)
	}
	wantEnv := map[string]string{
		"PULUMI_NODEJS_PROJECT":     "ffnodes",
		"PULUMI_NODEJS_STACK":       "ff-a-prod",
		"PULUMI_CONFIG":             `{"ffnodes:settings":"{}"}`,
		"PULUMI_CONFIG_SECRET_KEYS": "[]",
		"PULUMI_NODEJS_TYPESCRIPT":  "true",
	}
	if !reflect.DeepEqual(r.Env, wantEnv) {
		t.Errorf("env = %v, want the configured stack's %v", r.Env, wantEnv)
	}
}

func TestPluginArgs(t *testing.T) {
	got := pluginArgs(true, []string{"--inspect"}, "/sdk/cmd/run-policy-pack/index.js", "/pack", []string{"127.0.0.1:9"})
	if want := []string{"--inspect", "/sdk/cmd/run-policy-pack/index.js", "127.0.0.1:9", "/pack"}; !reflect.DeepEqual(got, want) {
		t.Errorf("policy pack: %q, want %q (the engine's address, then the pack)", got, want)
	}
	got = pluginArgs(false, nil, "/sdk/cmd/run-plugin/index.js", "/plugin", []string{"x"})
	if want := []string{"/sdk/cmd/run-plugin/index.js", "/plugin", "x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("plugin: %q, want %q (the plugin, then its arguments)", got, want)
	}
}

func TestPolicyPackEnv(t *testing.T) {
	env, err := policyPackEnv(&pulumirpc.AnalyzerStackConfigureRequest{
		Organization: "org", Project: "ffnodes", Stack: "ff-a-prod", DryRun: true,
		Config: map[string]string{"ffnodes:settings": "{}"}, ConfigSecretKeys: []string{"vault:token"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"PULUMI_NODEJS_ORGANIZATION=org", "PULUMI_NODEJS_PROJECT=ffnodes", "PULUMI_NODEJS_STACK=ff-a-prod", "PULUMI_NODEJS_DRY_RUN=true",
		`PULUMI_CONFIG={"ffnodes:settings":"{}"}`, `PULUMI_CONFIG_SECRET_KEYS=["vault:token"]`,
	}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("env = %q, want %q", env, want)
	}
	if env, err := policyPackEnv(nil); env != nil || err != nil {
		t.Errorf("an unconfigured pack gets %q, %v; want nothing", env, err)
	}
}
