/** Shared by the facts tests (facts*.test.ts): events normalized as the worker would, expected facts. */
import { BUILTIN_RULES, type BuiltinRule } from "../../src/correlate/builtin-rules.js";
import { extractFacts } from "../../src/correlate/extract-facts.js";
import type { Facts, LinkFact, MentionFact } from "../../src/correlate/facts.js";
import { PLATFORM_MODULES } from "../../src/platforms/registry.js";
import { githubType } from "../../src/platforms/github/classify.js";
import { linearType } from "../../src/platforms/linear/classify.js";
import { slackType } from "../../src/platforms/slack/classify.js";
import { parseSlackBody } from "../../src/platforms/slack/payload.js";
import { slackBody } from "../../kit/sign.js";
import type { Delivery, Platform, StoredEvent } from "../../src/shared/event.js";
import { loadFixtures } from "../helpers/fixtures.js";

export type Obj = Record<string, any>;

export const slackFixtures = loadFixtures("slack");
export const linearFixtures = loadFixtures("linear");

export const HEAD = "1".repeat(40);
export const MERGE = "2".repeat(40);
export const BEFORE = "3".repeat(40);
export const C1 = "4".repeat(40);
export const C2 = "5".repeat(40);
export const ZERO = "0".repeat(40);
export const REPO = "acme/web";
export const PR7 = "github:pr:acme/web#7";
export const ISSUE_ID = "32d9b289-0098-4a64-9777-523f5d365282";
export const commitKey = (sha: string) => `github:commit:${REPO}@${sha}`;

/** Normalizes a body as the worker would and stores it (in memory): what correlation reads. */
export function stored(platform: Platform, type: string, body: string, contentType: string, headers = {}): StoredEvent {
  const d: Delivery = {
    id: "evt-1",
    platform,
    deliveryId: "delivery-1",
    receivedAt: "2025-01-01T00:00:00.000Z",
    contentType,
    headers,
    body,
    type,
    priority: "normal",
  };
  return { ...PLATFORM_MODULES[platform].normalize(d), id: d.id, platform };
}

export const github = (event: string, payload: Obj) =>
  stored("github", githubType(event, payload), JSON.stringify(payload), "application/json", {
    "x-github-event": event,
  });
export const linear = (payload: Obj) =>
  stored("linear", linearType(payload), JSON.stringify(payload), "application/json");
export function slack(fixture: { kind: string; payload: Obj }) {
  const { body, contentType } = slackBody(fixture);
  const parsed = parseSlackBody(contentType, body);
  if (parsed.kind === "url_verification") throw new Error("not an event");
  return stored("slack", slackType(parsed), body, contentType);
}
export const deploy = (body: Obj) =>
  stored("deploy", `deploy.${body.status}`, JSON.stringify(body), "application/json");

export const facts = (e: StoredEvent, enabled?: (rule: string) => boolean): Facts =>
  extractFacts(e, PLATFORM_MODULES[e.platform].facts, enabled);

/** A link as the rule table says it is made: relation and confidence from the rule. */
export const link = (
  from: string,
  to: string,
  rule: BuiltinRule,
  relation: string = BUILTIN_RULES[rule].relation,
): LinkFact => ({
  from,
  to,
  rule,
  relation,
  confidence: BUILTIN_RULES[rule].confidence,
});
export const mention = (
  from: string,
  kind: MentionFact["kind"],
  target: string,
  rule: BuiltinRule,
  relation: string = BUILTIN_RULES[rule].relation,
): MentionFact => ({ from, kind, target, rule, relation, confidence: BUILTIN_RULES[rule].confidence });

export function pullRequest(over: Obj = {}, action = "opened"): Obj {
  return {
    action,
    number: 7,
    pull_request: {
      number: 7,
      title: "ENG-42 Fix checkout timeout",
      body: null,
      state: "open",
      merged: false,
      merged_at: null,
      merge_commit_sha: null,
      head: { sha: HEAD, ref: "alice/ops-7-checkout" },
      base: { ref: "main" },
      html_url: "https://github.com/Acme/Web/pull/7",
      created_at: "2025-01-01T09:00:00Z",
      updated_at: "2025-01-01T09:30:00Z",
      closed_at: null,
      ...over,
    },
    repository: { full_name: "Acme/Web" },
    sender: { login: "alice" },
  };
}
