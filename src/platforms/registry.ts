import type { Platform, WebhookPlatform } from "../shared/event.js";
import { normalizeDeploy } from "./deploy/normalize.js";
import { deployReceiver } from "./deploy/receiver.js";
import { githubFacts } from "./github/facts.js";
import { normalizeGithub } from "./github/normalize.js";
import { githubReceiver } from "./github/receiver.js";
import { gitlabFacts } from "./gitlab/facts.js";
import { normalizeGitlab } from "./gitlab/normalize.js";
import { gitlabReceiver } from "./gitlab/receiver.js";
import { linearFacts } from "./linear/facts.js";
import { normalizeLinear } from "./linear/normalize.js";
import { linearReceiver } from "./linear/receiver.js";
import { normalizeNetlify } from "./netlify/normalize.js";
import { netlifyReceiver } from "./netlify/receiver.js";
import { normalizePagerduty } from "./pagerduty/normalize.js";
import { pagerdutyReceiver } from "./pagerduty/receiver.js";
import type { PipelineModule, PlatformModule } from "./platform.js";
import { normalizeSentry } from "./sentry/normalize.js";
import { sentryReceiver } from "./sentry/receiver.js";
import { slackFacts } from "./slack/facts.js";
import { normalizeSlack } from "./slack/normalize.js";
import { slackReceiver } from "./slack/receiver.js";
import { normalizeVercel } from "./vercel/normalize.js";
import { vercelReceiver } from "./vercel/receiver.js";
import { normalizeArgocd } from "./argocd/normalize.js";
import { argocdReceiver } from "./argocd/receiver.js";
import { normalizeCircleci } from "./circleci/normalize.js";
import { circleciReceiver } from "./circleci/receiver.js";
import { githubEventTypes } from "./github/event-types.js";
import { slackEventTypes } from "./slack/event-types.js";
import { linearEventTypes } from "./linear/event-types.js";
import { deployEventTypes } from "./deploy/event-types.js";
import { pagerdutyEventTypes } from "./pagerduty/event-types.js";
import { sentryEventTypes } from "./sentry/event-types.js";
import { vercelEventTypes } from "./vercel/event-types.js";
import { netlifyEventTypes } from "./netlify/event-types.js";
import { circleciEventTypes } from "./circleci/event-types.js";
import { argocdEventTypes } from "./argocd/event-types.js";
import { gitlabEventTypes } from "./gitlab/event-types.js";
import { normalizeCustom } from "./custom/normalize.js";

/** The platforms with a webhook receiver, one line each (see PlatformModule). */
export const RECEIVER_MODULES: Record<WebhookPlatform, PlatformModule> = {
  github: {
    platform: "github",
    secretsVariable: "GITHUB_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_GITHUB",
    receiver: githubReceiver,
    normalize: normalizeGithub,
    facts: githubFacts,
    row: "github",
    partitionKey: (e) => e.rows.github?.repository ?? e.rows.deployment?.repository ?? "",
    eventTypes: githubEventTypes,
  },
  slack: {
    platform: "slack",
    secretsVariable: "SLACK_SIGNING_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_SLACK",
    receiver: slackReceiver,
    normalize: normalizeSlack,
    facts: slackFacts,
    row: "slack",
    partitionKey: (e) => e.rows.slack?.channel ?? "",
    eventTypes: slackEventTypes,
  },
  linear: {
    platform: "linear",
    secretsVariable: "LINEAR_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_LINEAR",
    receiver: linearReceiver,
    normalize: normalizeLinear,
    facts: linearFacts,
    row: "linear",
    partitionKey: (e) => e.rows.linear?.teamKey ?? "",
    eventTypes: linearEventTypes,
  },
  deploy: {
    platform: "deploy",
    secretsVariable: "DEPLOY_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_DEPLOY",
    receiver: deployReceiver,
    normalize: normalizeDeploy,
    facts: () => undefined,
    row: "deployment",
    partitionKey: (e) => e.rows.deployment?.repository ?? "",
    eventTypes: deployEventTypes,
  },
  pagerduty: {
    platform: "pagerduty",
    secretsVariable: "PAGERDUTY_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_PAGERDUTY",
    receiver: pagerdutyReceiver,
    normalize: normalizePagerduty,
    // Incident rows become incidents in correlate/extract-facts.ts, as deployment rows become deploys.
    facts: () => undefined,
    row: "incident",
    partitionKey: (e) => e.rows.incident?.service ?? e.rows.incident?.incidentId ?? "",
    eventTypes: pagerdutyEventTypes,
  },
  sentry: {
    platform: "sentry",
    secretsVariable: "SENTRY_CLIENT_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_SENTRY",
    receiver: sentryReceiver,
    normalize: normalizeSentry,
    facts: () => undefined,
    row: "incident",
    partitionKey: (e) => e.rows.incident?.service ?? e.rows.incident?.incidentId ?? "",
    eventTypes: sentryEventTypes,
  },
  vercel: {
    platform: "vercel",
    secretsVariable: "VERCEL_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_VERCEL",
    receiver: vercelReceiver,
    normalize: normalizeVercel,
    facts: () => undefined,
    row: "deployment",
    partitionKey: (e) => e.rows.deployment?.repository ?? "",
    eventTypes: vercelEventTypes,
  },
  netlify: {
    platform: "netlify",
    secretsVariable: "NETLIFY_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_NETLIFY",
    receiver: netlifyReceiver,
    normalize: normalizeNetlify,
    facts: () => undefined,
    row: "deployment",
    partitionKey: (e) => e.rows.deployment?.repository ?? "",
    eventTypes: netlifyEventTypes,
  },
  circleci: {
    platform: "circleci",
    secretsVariable: "CIRCLECI_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_CIRCLECI",
    // Which workflows are deploys is decided at receipt (CIRCLECI_DEPLOY_WORKFLOWS) and kept in the type.
    receiver: (secrets, config) => circleciReceiver(secrets, config.CIRCLECI_DEPLOY_WORKFLOWS),
    normalize: normalizeCircleci,
    facts: () => undefined,
    row: "deployment",
    partitionKey: (e) => e.rows.deployment?.repository ?? "",
    eventTypes: circleciEventTypes,
  },
  argocd: {
    platform: "argocd",
    secretsVariable: "ARGOCD_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_ARGOCD",
    receiver: argocdReceiver,
    normalize: normalizeArgocd,
    facts: () => undefined,
    row: "deployment",
    partitionKey: (e) => e.rows.deployment?.repository ?? "",
    eventTypes: argocdEventTypes,
  },
  gitlab: {
    platform: "gitlab",
    secretsVariable: "GITLAB_WEBHOOK_SECRET",
    maxBytesVariable: "WEBHOOK_MAX_BYTES_GITLAB",
    receiver: gitlabReceiver,
    normalize: normalizeGitlab,
    facts: gitlabFacts,
    row: "gitlab",
    partitionKey: (e) => e.rows.gitlab?.repository ?? e.rows.deployment?.repository ?? "",
    eventTypes: gitlabEventTypes,
  },
};

/** Every platform as the pipeline sees it: the receivers' and `custom`, the events published through /api/events. */
export const PLATFORM_MODULES: Record<Platform, PipelineModule> = {
  ...RECEIVER_MODULES,
  custom: {
    platform: "custom",
    normalize: normalizeCustom,
    facts: () => undefined,
    // Batches split by publisher: one source's events never wait on another's locks.
    partitionKey: (e) => e.type.split(".")[1] ?? "",
  },
};
