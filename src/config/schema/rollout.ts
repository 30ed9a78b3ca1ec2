import { z } from "zod";

/** How `npm run rollout` treats the environment's stack. */
export const rolloutSettings = {
  rollout: z
    .strictObject({
      /**
       * A canary: the production stack is updated after every non-production stack and before
       * the other production stacks. Only a customer file may choose it.
       */
      canary: z.boolean(),
    })
    .optional(),
};
