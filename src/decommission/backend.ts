import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { capture } from "./exec";
import { StateResource, stackExport } from "./state";

/** What a decommission does to a stack in the Pulumi backend. */
export interface DecommissionBackend {
  /** The stack's resources, or undefined when the backend has no such stack. */
  resources(stack: string): Promise<StateResource[] | undefined>;
  /** Destroys the given resources (by URN), or every resource of the stack. */
  destroy(stack: string, targets?: string[]): Promise<void>;
  unprotect(stack: string, urns: string[]): Promise<void>;
  /** Removes the stack from the backend; refused while it still has resources. */
  removeStack(stack: string): Promise<void>;
}

/**
 * The Pulumi backend through the Automation API over the project directory. Reading the state
 * and unprotecting go through the CLI itself (`stack export`, `state unprotect`), which the
 * Automation API of this version does not offer without revealing the stack's secrets.
 */
export class PulumiBackend implements DecommissionBackend {
  private constructor(
    private readonly workspace: LocalWorkspace,
    private readonly command: string,
    private readonly root: string,
  ) {}

  static async create(root: string): Promise<PulumiBackend> {
    const pulumiCommand = await PulumiCommand.get();
    const workspace = await LocalWorkspace.create({ workDir: root, pulumiCommand });
    return new PulumiBackend(workspace, pulumiCommand.command, root);
  }

  async resources(stack: string): Promise<StateResource[] | undefined> {
    const stacks = await this.workspace.listStacks();
    if (!stacks.some((s) => s.name === stack || s.name.endsWith(`/${stack}`))) return undefined;
    const exported = stackExport.safeParse(JSON.parse(await this.pulumi(["stack", "export", "--stack", stack])));
    if (!exported.success) throw new Error(`pulumi stack export of ${stack} is not a deployment this version reads: ${exported.error.issues[0].message} at ${exported.error.issues[0].path.join(".")}`);
    return exported.data.deployment?.resources ?? [];
  }

  async destroy(stack: string, targets?: string[]): Promise<void> {
    const selected = await Stack.select(stack, this.workspace);
    await selected.destroy({ target: targets, color: "never" });
  }

  async unprotect(stack: string, urns: string[]): Promise<void> {
    if (urns.length > 0) await this.pulumi(["state", "unprotect", "--yes", "--stack", stack, ...urns]);
  }

  removeStack(stack: string): Promise<void> {
    // The stack file is retired by the decommission itself, with the customer's settings.
    return this.workspace.removeStack(stack, { preserveConfig: true });
  }

  private pulumi(args: string[]): Promise<string> {
    return capture(this.command, [...args, "--non-interactive"], { cwd: this.root, missing: "decommission needs the Pulumi CLI" });
  }
}
