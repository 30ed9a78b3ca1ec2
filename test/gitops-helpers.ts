import { EnvironmentConfig } from "../src/config/environment";
import { REPO_ROOT, resolveStack } from "./helpers";

/** A stack's layered config as the program resolves it (the repository's stack files set no ffnodes:settings). */
export function stackConfig(stack: string, root = REPO_ROOT): EnvironmentConfig {
  return resolveStack(root, stack);
}

