import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

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

/**
 * Outputs a provider computes rather than echoes, by resource type: generated values get a
 * stable stand-in derived from the logical name, so that plans are deterministic.
 */
export const COMPUTED_OUTPUTS: Record<string, (name: string) => Record<string, unknown>> = {
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `offline-${name}` }),
  "random:index/randomString:RandomString": (name) => ({ result: `offline-${name}` }),
  "tls:index/privateKey:PrivateKey": (name) => ({ privateKeyPem: `offline-${name}` }),
  "tls:index/certRequest:CertRequest": (name) => ({ certRequestPem: `offline-${name}` }),
};

/** The offline engine behind `plan` and the tests: resources echo their inputs. */
export const offlineMocks: pulumi.runtime.Mocks = {
  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    // An imported resource keeps the id it was imported by; others get a stable stand-in.
    const state = { ...(args.inputs as Record<string, unknown>), ...COMPUTED_OUTPUTS[args.type]?.(args.name) };
    return { id: args.id || `${args.name}-id`, state };
  },
  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const answer = INVOKE_ANSWERS[args.token];
    if (!answer) throw new Error(`plan has no offline answer for invoke ${args.token}`);
    return answer(args.inputs as Record<string, unknown>);
  },
};
