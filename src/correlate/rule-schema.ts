import { z } from "zod";
import { isBuiltinRule } from "./builtin-rules.js";
import { PLATFORMS } from "../shared/event.js";

/* Only zod, the built-in rules' names and the platforms: the API's answer schemas (and so the console) read it. */

/** A type glob of a platform's events: `github.pull_request.*`, `pagerduty.incident.*`, `custom.ci-bot.*`, `*`. */
const RULE_ON = new RegExp(`^(${PLATFORMS.join("|")}|\\*)(\\.[a-z0-9_*?-]+)*$`);

/** A custom correlation rule (contract §7). Unknown fields are refused. */
export const customRuleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 characters"),
    on: z.string().max(200).regex(RULE_ON, "a type glob such as github.pull_request.*"),
    where: z
      .record(
        z
          .string()
          .max(200)
          .regex(/^[\w.]+$/, "a dotted field path"),
        z.union([z.string(), z.number(), z.boolean(), z.null()]),
      )
      .optional(),
    extract: z.strictObject({
      field: z
        .string()
        .max(200)
        .regex(/^[\w.]+$/, "a dotted field path such as payload.pull_request.title"),
      pattern: z.string().min(1).max(500),
    }),
    link: z.strictObject({
      to: z
        .string()
        .max(300)
        .regex(
          /^(github|linear|slack|deploy):[^\s]*\$[1-9]/,
          "an entity key template using a capture, such as linear:issue:$1",
        ),
      relation: z.string().regex(/^[a-z_]{2,32}$/, "a relation such as references"),
      confidence: z.number().min(0).max(1),
    }),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((r) => !isBuiltinRule(r.name), {
    message: "name is taken by a built-in rule",
    path: ["name"],
  });
