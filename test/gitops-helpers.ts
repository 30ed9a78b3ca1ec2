import { EnvironmentConfig, resolveEnvironment, stackFileName } from "../src/config/load";
import { REPO_ROOT } from "./helpers";

/** A stack's layered config as the program resolves it (the repository's stack files set no ffnodes:settings). */
export function stackConfig(stack: string, root = REPO_ROOT): EnvironmentConfig {
  return resolveEnvironment(root, stack, { settings: undefined, file: stackFileName(stack) });
}
