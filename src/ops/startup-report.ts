import { RECEIVER_MODULES } from "../platforms/registry.js";
import type { Config } from "../shared/config.js";

/** Something the configuration leaves out, what it costs, and the variable that would fix it. */
export interface StartupProblem {
  variable: string;
  message: string;
}

type Checked = Pick<
  Config,
  | "ROLE"
  | "API_TOKENS"
  | "SECRETS_KEYS"
  | "SLACK_BOT_TOKEN"
  | "LINEAR_API_KEY"
  | (typeof RECEIVER_MODULES)[keyof typeof RECEIVER_MODULES]["secretsVariable"]
>;

/**
 * What this process cannot do as configured, one problem each, for start-up to log (docs/operations.md
 * "Start-up"). Missing pieces are not errors: a team may take only GitHub webhooks. Each
 * problem is reported only in the role it affects: receivers and /api in `web`, sending in `worker`.
 */
export function startupReport(config: Checked): StartupProblem[] {
  const web = config.ROLE !== "worker";
  const sends = config.ROLE !== "web";
  const problems: StartupProblem[] = [];
  if (web) {
    for (const m of Object.values(RECEIVER_MODULES)) {
      if (config[m.secretsVariable].length) continue;
      problems.push({
        variable: m.secretsVariable,
        message: `receiver /webhooks/${m.platform} is not configured: it answers 503 until ${m.secretsVariable} is set`,
      });
    }
    if (!config.API_TOKENS.length)
      problems.push({
        variable: "API_TOKENS",
        message: "API_TOKENS is empty: /api answers 401 to every request and /admin/queues is closed",
      });
    if (!config.SECRETS_KEYS.length)
      problems.push({
        variable: "SECRETS_KEYS",
        message:
          "SECRETS_KEYS is not set: creating a webhook subscription answers 503 until it is " +
          "(its secrets are stored sealed)",
      });
  }
  if (sends) {
    if (!config.SLACK_BOT_TOKEN)
      problems.push({
        variable: "SLACK_BOT_TOKEN",
        message: "SLACK_BOT_TOKEN is not set: Slack subscriptions cannot send (their messages fail until it is)",
      });
    if (!config.LINEAR_API_KEY)
      problems.push({
        variable: "LINEAR_API_KEY",
        message: "LINEAR_API_KEY is not set: Linear subscriptions cannot comment on or move issues",
      });
  }
  return problems;
}
