import type { Config } from "../config.js";
import type { Receiver } from "../receive/receiver.js";
import type { Delivery, NormalizedEvent, Platform } from "../shared/event.js";
import { deployReceiver } from "./deploy/receiver.js";
import { normalizeDeploy } from "./deploy/normalize.js";
import { githubReceiver } from "./github/receiver.js";
import { normalizeGithub } from "./github/normalize.js";
import { linearReceiver } from "./linear/receiver.js";
import { normalizeLinear } from "./linear/normalize.js";
import { slackReceiver } from "./slack/receiver.js";
import { normalizeSlack } from "./slack/normalize.js";

/** Receivers for the platforms that have secrets configured; the others answer 503. */
export function createReceivers(config: Config): Partial<Record<Platform, Receiver>> {
  const receivers: Partial<Record<Platform, Receiver>> = {};
  if (config.GITHUB_WEBHOOK_SECRET.length) receivers.github = githubReceiver(config.GITHUB_WEBHOOK_SECRET);
  if (config.SLACK_SIGNING_SECRET.length) receivers.slack = slackReceiver(config.SLACK_SIGNING_SECRET);
  if (config.LINEAR_WEBHOOK_SECRET.length) receivers.linear = linearReceiver(config.LINEAR_WEBHOOK_SECRET);
  if (config.DEPLOY_WEBHOOK_SECRET.length) receivers.deploy = deployReceiver(config.DEPLOY_WEBHOOK_SECRET);
  return receivers;
}

export const normalizers: Record<Platform, (d: Delivery) => NormalizedEvent> = {
  github: normalizeGithub,
  slack: normalizeSlack,
  linear: normalizeLinear,
  deploy: normalizeDeploy,
};
