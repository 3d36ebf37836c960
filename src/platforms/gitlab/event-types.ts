import { typeOf, typesOf } from "../event-types.js";

/**
 * `gitlab.<kind>[.<action>]` (classify.ts): kinds and actions are GitLab's words, so this lists the ones
 * GitLab documents that matter here; others arrive too, named the same way.
 */
export const gitlabEventTypes = [
  typeOf("gitlab.push", "Commits pushed to a branch"),
  typeOf("gitlab.tag_push", "A tag pushed"),
  ...typesOf("gitlab.merge_request", "A merge request", [
    "open",
    "close",
    "reopen",
    "update",
    "merge",
    "approved",
    "unapproved",
    "approval",
    "unapproval",
  ]),
  ...typesOf("gitlab.issue", "An issue", ["open", "close", "reopen", "update"]),
  typeOf("gitlab.note", "A comment"),
  ...typesOf("gitlab.deployment", "A deployment", ["running", "success", "failed", "canceled"]),
  ...typesOf("gitlab.pipeline", "A pipeline", [
    "created",
    "pending",
    "running",
    "success",
    "failed",
    "canceled",
    "skipped",
    "manual",
  ]),
  ...typesOf("gitlab.build", "A job", ["created", "pending", "running", "success", "failed", "canceled"]),
  ...typesOf("gitlab.release", "A release", ["create", "update", "delete"]),
  ...typesOf("gitlab.wiki_page", "A wiki page", ["create", "update", "delete"]),
  ...typesOf("gitlab.emoji", "An emoji reaction", ["award", "revoke"]),
];
