import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, OpMap, PulumiCommand, PulumiFn, Stack, Workspace } from "@pulumi/pulumi/automation";
import { stackFileName } from "../config/files";
import { stackOutputs } from "../program";
import { ChangeSummary, StackRunner } from "./runner";

/** The tenant policy pack every preview and update runs with (src/policy). */
export const POLICY_PACK_DIR = path.resolve(__dirname, "..", "policy");

interface AutomationRunnerOptions {
  /** The project directory (where Pulumi.yaml is). */
  root: string;
  /** Policy packs for previews and updates. Default: the tenant pack. */
  policyPacks?: string[];
  /** A directory holding `bin/pulumi`; default: `pulumi` from PATH. */
  pulumiRoot?: string;
  /** Extra environment for every pulumi command. */
  envVars?: Record<string, string>;
}

/**
 * The project's program, run in this process for every preview and update: the engine calls back
 * into it (the Automation API's inline program) instead of starting it in a new node process for
 * each stack through its Node.js language host. So the program's modules (the Pulumi SDK, the
 * provider SDKs, the configuration's schema) load once, and each stack costs only its own
 * configuration and registration. The SDK keeps each run's state
 * (stack, config, engine connection) apart, so stacks previewed in parallel do not mix.
 */
function projectProgram(root: string): PulumiFn {
  // A promise executor turns an invalid configuration's throw into the run's failure.
  return () => new Promise((resolve) => resolve({ ...stackOutputs(root) }));
}

/**
 * The workspace as the Automation API's stacks see it, but with no stack selection: `pulumi
 * stack select` writes the person's current stack, and every operation names its stack
 * (`--stack`) anyway. Whether a stack exists is asked once, of the backend, by `initialized`.
 */
function withoutSelection(workspace: LocalWorkspace): Workspace {
  return Object.assign(Object.create(workspace) as LocalWorkspace, { selectStack: () => Promise.resolve() });
}

/**
 * Runs stacks through the Pulumi Automation API over the project directory (a LocalWorkspace),
 * the project's program in this process (`projectProgram`). It creates no stack, selects none,
 * and writes no stack file: each operation names its stack and reads the stack's settings from a
 * copy of its file, so that what Pulumi writes there (a secrets provider's salt for a file that
 * has none) goes to the copy.
 */
export class AutomationRunner implements StackRunner {
  private readonly stacks: Workspace;

  private constructor(
    private readonly workspace: LocalWorkspace,
    private readonly root: string,
    private readonly policyPacks: string[],
    private readonly program: PulumiFn,
  ) {
    this.stacks = withoutSelection(workspace);
  }

  static async create(options: AutomationRunnerOptions): Promise<AutomationRunner> {
    const pulumiCommand = await PulumiCommand.get(options.pulumiRoot ? { root: options.pulumiRoot } : {});
    const workspace = await LocalWorkspace.create({ workDir: options.root, pulumiCommand, envVars: options.envVars });
    return new AutomationRunner(workspace, options.root, options.policyPacks ?? [POLICY_PACK_DIR], projectProgram(options.root));
  }

  /**
   * `pulumi install`, once before any stack runs. Skipped where Pulumi's own switch turns
   * automatic plugin acquisition off (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION): there the
   * providers are the deployment's own (in the plugin cache, or on PATH), and there is nothing
   * to download.
   */
  install(): Promise<void> {
    if (this.workspace.envVars.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION === "true" || process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION === "true") {
      return Promise.resolve();
    }
    return this.workspace.install();
  }

  /** `pulumi stack ls`, once: the backend's stacks of this project, by name. */
  async initialized(stacks: readonly string[]): Promise<ReadonlySet<string>> {
    const listed = new Set((await this.workspace.listStacks()).map((s) => s.name.split("/").pop()));
    return new Set(stacks.filter((stack) => listed.has(stack)));
  }

  preview(stack: string): Promise<ChangeSummary> {
    return this.withStack(stack, async (s, configFile) => {
      const result = await s.preview({ program: this.program, policyPacks: this.policyPacks, color: "never", diff: true, configFile });
      return counts(result.changeSummary);
    });
  }

  update(stack: string): Promise<ChangeSummary> {
    return this.withStack(stack, async (s, configFile) => {
      const result = await s.up({ program: this.program, policyPacks: this.policyPacks, color: "never", diff: true, configFile });
      return counts(result.summary?.resourceChanges ?? {});
    });
  }

  refreshPreview(stack: string): Promise<ChangeSummary> {
    return this.withStack(stack, async (s, configFile) => counts((await s.previewRefresh({ color: "never", configFile })).changeSummary));
  }

  /** Runs `operation` on the stack with a copy of its stack file, removed afterwards. */
  private async withStack<T>(name: string, operation: (stack: Stack, configFile: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-rollout-"));
    try {
      const configFile = path.join(dir, path.basename(stackFileName(name)));
      fs.copyFileSync(path.join(this.root, stackFileName(name)), configFile);
      return await operation(await Stack.select(name, this.stacks), configFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function counts(map: OpMap): ChangeSummary {
  return Object.fromEntries(Object.entries(map).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}
