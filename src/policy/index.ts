// The tenant policy pack: `pulumi preview --policy-pack src/policy` (rollout passes it to every
// preview and update). Constructing a PolicyPack starts the policy server, so nothing but
// Pulumi's analyzer may import this file; the rules are plain functions in rules.ts.
import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { TENANT_RULES } from "./rules";
import { tenantResolver } from "./tenant";

const tenantOf = tenantResolver(path.resolve(__dirname, "..", ".."));

new PolicyPack("ffnodes-tenant", {
  enforcementLevel: "mandatory",
  policies: TENANT_RULES.map((rule) => ({
    name: rule.name,
    description: rule.description,
    validateResource: (args, reportViolation) => {
      const tenant = tenantOf(args.urn);
      if (typeof tenant === "string") {
        reportViolation(tenant);
        return;
      }
      for (const message of rule.check({ type: args.type, name: args.name, props: args.props, protect: args.opts.protect }, tenant)) {
        reportViolation(message);
      }
    },
  })),
});
