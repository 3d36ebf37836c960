import { PREFIX } from "../../shared/keys.js";

/**
 * A published key spelled as Switchyard spells its own (shared/keys.ts), so it meets the same entity:
 * GitHub and GitLab keys lower-case (their names are case-insensitive), Linear identifiers upper-case.
 * Other keys are the publisher's own and kept as given.
 */
export function canonicalKey(key: string): string {
  if (key.startsWith("github:") || key.startsWith("gitlab:")) return key.toLowerCase();
  if (key.startsWith(PREFIX.linearIssue))
    return PREFIX.linearIssue + key.slice(PREFIX.linearIssue.length).toUpperCase();
  return key;
}
