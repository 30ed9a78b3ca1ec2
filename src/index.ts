import { stackOutputs } from "./program";

// `pulumi` runs the program from the project directory, where customers/ lives. The customer's
// outputs (namespace, hosts, Vault paths, ...) are the stack's outputs.
export = stackOutputs(process.cwd());
