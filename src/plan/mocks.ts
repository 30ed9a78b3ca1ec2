import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { kindOf } from "../kinds";

/**
 * Answers for invoke calls, by token. Components that look things up (a Cloudflare zone, ...)
 * add their answer here so that `plan` and the tests see the same stand-in results.
 */
export const INVOKE_ANSWERS: Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>> = {
  // A zone looked up by name: an id shaped like Cloudflare's, the same for the same name.
  "cloudflare:index/getZone:getZone": (inputs) => {
    const filter = inputs.filter as { name?: unknown } | undefined;
    const name = String(filter?.name);
    const id = createHash("sha256").update(`zone:${name}`).digest("hex").slice(0, 32);
    return { id, zoneId: id, name, status: "active" };
  },
};

/** The offline engine behind `plan` and the tests: resources echo their inputs. */
export const offlineMocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    // An imported resource keeps the id it was imported by; others get a stable stand-in.
    const state = { ...(args.inputs as Record<string, unknown>), ...kindOf(args.type)?.mockOutputs?.(args.name) };
    return { id: args.id || `${args.name}-id`, state };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const answer = INVOKE_ANSWERS[args.token];
    if (!answer) throw new Error(`plan has no offline answer for invoke ${args.token}`);
    return answer(args.inputs as Record<string, unknown>);
  },
};
