import type { Delivery, NormalizedEvent } from "../../shared/event.js";
import { commitKey, deployKey, repoKey, uniqueKeys } from "../../shared/keys.js";
import { firstDate, storableDate } from "../../shared/time.js";
import type { DeployBody } from "./body.js";

/** The body was validated by the receiver (deployBody); here it is trusted. */
export function normalizeDeploy(d: Delivery): NormalizedEvent {
  const b = JSON.parse(d.body) as DeployBody;
  const subject = deployKey("generic", b.id);
  return {
    type: d.type,
    occurredAt: firstDate(new Date(d.receivedAt), b.finished_at, b.started_at),
    actor: null,
    subject,
    keys: uniqueKeys(repoKey(b.repository), subject, commitKey(b.repository, b.sha)),
    payload: b,
    rows: {
      deployment: {
        source: "generic",
        deployId: b.id,
        repository: b.repository.toLowerCase(),
        environment: b.environment,
        status: b.status,
        sha: b.sha.toLowerCase(),
        ref: b.ref ?? null,
        url: b.url ?? null,
        service: b.service ?? null,
        startedAt: storableDate(b.started_at),
        finishedAt: storableDate(b.finished_at),
      },
    },
  };
}
