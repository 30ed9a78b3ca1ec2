import { runProgram } from "./program";

// `pulumi` runs the program from the project directory, where customers/ lives. The customer's
// outputs (namespace, hosts, Vault paths, ...) are the stack's outputs. The providers run with
// this process's environment, where they may find their credentials instead of the config.
export = runProgram(process.cwd(), undefined, { credentialsFrom: process.env }).outputs;
