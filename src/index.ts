import { runProgram } from "./program";

// `pulumi` runs the program from the project directory, where customers/ lives. The customer's
// outputs (namespace, hosts, Vault paths, ...) are the stack's outputs.
export = runProgram(process.cwd()).outputs;
