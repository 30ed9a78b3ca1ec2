package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// analyzerKind is the RunPluginRequest kind of policy packs.
const analyzerKind = "analyzer"

// RunPlugin runs a plugin written for Node.js: a policy pack (kind "analyzer") through
// @pulumi/pulumi/cmd/run-policy-pack, anything else through @pulumi/pulumi/cmd/run-plugin. The
// plugin's stdout and stderr stream back as RunPluginResponse messages; the engine reads the port the
// plugin serves on from that stdout.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx, cancel := h.withCancel(server.Context())
	defer cancel()

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := programDirectory(req.GetInfo(), req.GetPwd())
	policyPack := req.GetKind() == analyzerKind

	opts, err := optionsOf(req.GetInfo())
	if err != nil {
		return err
	}
	nodeArgs, err := splitArgs(opts.nodeargs)
	if err != nil {
		return fmt.Errorf("the runtime option 'nodeargs' is invalid: %w", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on $PATH: %w", err)
	}
	scriptModule := sdkPackage + "/cmd/run-plugin"
	if policyPack {
		scriptModule = sdkPackage + "/cmd/run-policy-pack"
	}
	script, err := resolveModule(ctx, node, scriptModule, dir)
	if err != nil {
		return err
	}

	args := pluginArgs(policyPack, nodeArgs, script, dir, req.GetArgs())

	env := append(os.Environ(), req.GetEnv()...)
	env = append(env, opts.env()...)

	// A policy pack learns its stack, project and config from the environment, and the engine sends
	// those only in its first RPC to the analyzer (ConfigureStack). So for a policy pack we serve the
	// analyzer ourselves first, through the SDK's PolicyProxy: it prints its own port, waits for
	// ConfigureStack, and once the real pack is up proxies every call to it.
	var proxy *sdk.PolicyProxy
	pluginStdout := stdout
	if policyPack {
		proxy, pluginStdout, err = sdk.NewPolicyProxy(ctx, stdout)
		if err != nil {
			return fmt.Errorf("could not start the policy pack proxy: %w", err)
		}
		stack, err := proxy.AwaitConfiguration(ctx)
		if err != nil {
			return fmt.Errorf("could not get the stack configuration for the policy pack: %w", err)
		}
		stackEnv, err := policyPackEnv(stack)
		if err != nil {
			return err
		}
		env = append(env, stackEnv...)
	}

	cmd := nodeCommand(ctx, node, args)
	// Policy packs have always run in their own directory (so they load their own node_modules);
	// other plugins run where the engine says.
	cmd.Dir = dir
	if !policyPack && req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Env = env
	cmd.Stdout = pluginStdout
	cmd.Stderr = stderr

	logging.V(5).Infof("running plugin %s (%s) in %s: %s", req.GetName(), req.GetKind(), cmd.Dir, cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start the plugin with node: %w", err)
	}
	if proxy == nil {
		if err := cmd.Wait(); err != nil {
			return pluginExitError(err)
		}
		return closer.Close()
	}

	// Attach reads the pack's port, connects, forwards the stack configuration and then waits for the
	// process (it calls cmd.Wait itself).
	if err := proxy.Attach(ctx, cmd); err != nil {
		// Unless we were cancelled, Attach only returns once the process is gone (it closes the pipe it
		// reads the port from after cmd.Wait), so its exit status is there to report.
		if ctx.Err() == nil && cmd.ProcessState != nil && !cmd.ProcessState.Success() {
			return fmt.Errorf("policy pack failed (%v): %w", cmd.ProcessState, err)
		}
		return pluginExitError(err)
	}
	return closer.Close()
}

// pluginArgs is node's command line for a plugin: run-policy-pack takes <engine address> <program>;
// run-plugin takes <program> [args].
func pluginArgs(policyPack bool, nodeArgs []string, script, dir string, reqArgs []string) []string {
	args := append([]string{}, nodeArgs...)
	args = append(args, script)
	if policyPack {
		return append(append(args, reqArgs...), dir)
	}
	return append(append(args, dir), reqArgs...)
}

// policyPackEnv passes the stack the engine configured to the policy pack the way @pulumi/pulumi
// reads it (runtime/state.ts and runtime/config.ts). stack is nil when the engine asked the pack
// something before configuring it (e.g. `pulumi policy publish`).
func policyPackEnv(stack *pulumirpc.AnalyzerStackConfigureRequest) ([]string, error) {
	if stack == nil {
		return nil, nil
	}
	var env []string
	add := func(name, value string) {
		if value != "" {
			env = append(env, name+"="+value)
		}
	}
	add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
	add("PULUMI_NODEJS_PROJECT", stack.GetProject())
	add("PULUMI_NODEJS_STACK", stack.GetStack())
	add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
	config, err := json.Marshal(nonNilMap(stack.GetConfig()))
	if err != nil {
		return nil, fmt.Errorf("could not serialize the stack configuration: %w", err)
	}
	secretKeys, err := json.Marshal(nonNilSlice(stack.GetConfigSecretKeys()))
	if err != nil {
		return nil, fmt.Errorf("could not serialize the secret configuration keys: %w", err)
	}
	add("PULUMI_CONFIG", string(config))
	add("PULUMI_CONFIG_SECRET_KEYS", string(secretKeys))
	return env, nil
}

func pluginExitError(err error) error {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if code := exitErr.ExitCode(); code > 0 {
			return fmt.Errorf("Plugin exited with non-zero exit code: %d", code)
		}
		return fmt.Errorf("Plugin exited unexpectedly: %w", exitErr)
	}
	return err
}
