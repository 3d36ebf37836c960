import type { Priority } from "../../shared/event.js";
import { objectOf } from "../incident-fields.js";
import { typeWord } from "../platform.js";

type Obj = Record<string, unknown>;

/** `X-Gitlab-Event` as GitLab sends it: `Push Hook`, `Merge Request Hook`, `Deployment Hook`, … */
export const EVENT_HEADER = /^[A-Za-z][A-Za-z ]{0,63} Hook$/;

/**
 * The event's kind: the body's `object_kind` (`merge_request`, `push`, …); group hooks without one name it in
 * `event_name`, else the header does (`Member Hook` → `member`).
 */
export function gitlabKind(event: string, payload: Obj): string {
  return (
    typeWord(payload.object_kind)?.toLowerCase() ??
    typeWord(payload.event_name)?.toLowerCase() ??
    event.slice(0, -" Hook".length).trim().toLowerCase().replace(/ +/g, "_")
  );
}

/** What follows the kind in the type: an MR's or issue's action, a deployment's or pipeline's status. */
function gitlabAction(kind: string, payload: Obj): string | undefined {
  const attributes = objectOf(payload.object_attributes);
  switch (kind) {
    case "deployment":
      return typeWord(payload.status);
    case "pipeline":
      return typeWord(attributes.status);
    case "build":
      return typeWord(payload.build_status);
    case "push":
    case "tag_push":
      return undefined;
    default:
      return typeWord(attributes.action) ?? typeWord(payload.action);
  }
}

/** `gitlab.<kind>[.<action>]`: `gitlab.merge_request.merge`, `gitlab.push`, `gitlab.deployment.success`. */
export function gitlabType(event: string, payload: Obj): string {
  const kind = gitlabKind(event, payload);
  const action = gitlabAction(kind, payload);
  return action ? `gitlab.${kind}.${action}` : `gitlab.${kind}`;
}

const LOW = new Set(["emoji", "wiki_page", "feature_flag", "access_token", "member", "subgroup", "project"]);

/** As GitHub's (docs/operations.md "The ingest queue"): failed deploys first, deploys and merges high. */
export function gitlabPriority(event: string, payload: Obj): Priority {
  const kind = gitlabKind(event, payload);
  if (kind === "deployment") return payload.status === "failed" ? "critical" : "high";
  if (kind === "merge_request" && objectOf(payload.object_attributes).action === "merge") return "high";
  return LOW.has(kind) ? "low" : "normal";
}
