import * as path from "node:path";
import { LocalWorkspace, OpMap, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { serialized } from "./pool";
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
 * Runs stacks through the Pulumi Automation API over the project directory (a LocalWorkspace,
 * no inline program). Selecting a stack writes the workspace's current-stack file, which is not
 * safe to do concurrently, so selections happen one at a time and each stack is selected once;
 * every operation then names its stack explicitly (`--stack`) and may run alongside others.
 */
export class AutomationRunner implements StackRunner {
  private readonly selectOne = serialized();
  private readonly selected = new Map<string, Promise<Stack>>();

  private constructor(
    private readonly workspace: LocalWorkspace,
    private readonly policyPacks: string[],
  ) {}

  static async create(options: AutomationRunnerOptions): Promise<AutomationRunner> {
    const pulumiCommand = await PulumiCommand.get(options.pulumiRoot ? { root: options.pulumiRoot } : {});
    const workspace = await LocalWorkspace.create({ workDir: options.root, pulumiCommand, envVars: options.envVars });
    return new AutomationRunner(workspace, options.policyPacks ?? [POLICY_PACK_DIR]);
  }

  /**
   * `pulumi install`, once before any stack runs. Skipped where Pulumi's own switch turns
   * automatic plugin acquisition off (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION): there the
   * providers are the deployment's own, on PATH, and there is nothing to download.
   */
  install(): Promise<void> {
    if (this.workspace.envVars.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION === "true" || process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION === "true") {
      return Promise.resolve();
    }
    return this.workspace.install();
  }

  async preview(stack: string): Promise<ChangeSummary> {
    const result = await (await this.stack(stack)).preview({ policyPacks: this.policyPacks, color: "never", diff: true });
    return counts(result.changeSummary);
  }

  async update(stack: string): Promise<ChangeSummary> {
    const result = await (await this.stack(stack)).up({ policyPacks: this.policyPacks, color: "never", diff: true });
    return counts(result.summary?.resourceChanges ?? {});
  }

  async refreshPreview(stack: string): Promise<ChangeSummary> {
    const result = await (await this.stack(stack)).previewRefresh({ color: "never" });
    return counts(result.changeSummary);
  }

  /** Selects (creating it in the backend if it is new) each stack once, one selection at a time. */
  private stack(name: string): Promise<Stack> {
    let stack = this.selected.get(name);
    if (!stack) {
      stack = this.selectOne(() => Stack.createOrSelect(name, this.workspace));
      this.selected.set(name, stack);
      // A failed selection is tried again by the next operation (a retry, say).
      stack.catch(() => this.selected.delete(name));
    }
    return stack;
  }
}

function counts(map: OpMap): ChangeSummary {
  return Object.fromEntries(Object.entries(map).filter((entry): entry is [string, number] => typeof entry[1] === "number"));
}
