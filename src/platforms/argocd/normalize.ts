import { Unprocessable } from "../../shared/errors.js";
import type { Delivery, DeploymentRow, NormalizedEvent } from "../../shared/event.js";
import { deployKey, fullSha } from "../../shared/keys.js";
import { deployEvent } from "../deploy-event.js";
import { firstDate, storableDate } from "../../shared/time.js";
import { repositoryFromUrl } from "../repository-url.js";
import { argocdBody } from "./body.js";
import { argocdStatus } from "./classify.js";

/**
 * An Argo CD notification (the receiver validated it; parsed again here for its `<no value>` cleaning).
 * One sync operation is one deploy: its id the application and the operation's start, so the running,
 * succeeded and degraded notifications of one sync update one deploy. A Git source (github.com,
 * gitlab.com) and a full commit SHA make a deployment row; a Helm chart's version makes none.
 */
export function normalizeArgocd(d: Delivery): NormalizedEvent {
  const parsed = argocdBody.safeParse(JSON.parse(d.body));
  // The receiver validated it: a stored body off the schema (a replay of an older one) cannot be mended by retries.
  if (!parsed.success)
    throw new Unprocessable(`not an Argo CD body of our template: ${parsed.error.issues[0]?.message}`);
  const b = parsed.data;
  const repository = repositoryFromUrl(b.repoURL);
  const sha = fullSha(b.revision);
  const environment = b.environment ?? b.namespace ?? null;
  const deployId = `${b.app}@${b.startedAt ?? b.revision ?? b.id}`;
  const deployment: DeploymentRow | undefined =
    repository && sha && environment
      ? {
          source: "argocd",
          deployId,
          repository,
          environment,
          status: argocdStatus(b),
          sha,
          ref: null,
          url: b.url && /^https?:\/\/[^<>\s]+$/.test(b.url) ? b.url : null,
          service: b.app,
          startedAt: storableDate(b.startedAt),
          finishedAt: storableDate(b.finishedAt),
        }
      : undefined;
  const subject = deployment ? deployKey("argocd", deployId) : null;
  return deployEvent(d, {
    subject,
    // A running sync happened when it started; every later notification when it came: a sync's finishedAt is
    // the same on its Succeeded, Progressing and Degraded notifications, and the last one's status must win.
    occurredAt: b.phase === "Running" ? firstDate(new Date(d.receivedAt), b.startedAt) : new Date(d.receivedAt),
    payload: b,
    deployment,
    repository,
    sha,
  });
}
