/**
 * The pipeline benchmark's deliveries: payloads of kit/payloads.ts, signed as their senders sign them
 * (kit/sign.ts) and classified as the receiver classifies them, from a deterministic PRNG.
 */
import { createHash, randomUUID } from "node:crypto";
import { deployStatus, linearWebhook, slackMessage } from "../../kit/payloads.js";
import { deployRequest, githubRequest, linearRequest, slackRequest, type SignedRequest } from "../../kit/sign.js";
import { deployPriority } from "../../src/platforms/deploy/classify.js";
import { githubPriority, githubType } from "../../src/platforms/github/classify.js";
import { linearPriority, linearType } from "../../src/platforms/linear/classify.js";
import { slackPriority, slackType } from "../../src/platforms/slack/classify.js";
import type { Delivery } from "../../src/shared/event.js";
import { DEPLOY_SECRET, run, SECRET } from "./config.js";

/** A delivery minus what the receiver stamps at enqueue time (id, receivedAt). */
export type Pending = Omit<Delivery, "id" | "receivedAt">;

let seed = 0x5eed;
/** Deterministic PRNG (mulberry32): the same mix on every run. */
export function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
let shaCounter = 0;
export const newSha = () => createHash("sha1").update(`${run}:${++shaCounter}`).digest("hex");

export const TEAMS = ["ENG", "WEB", "API", "OPS", "DATA", "MOB"];
export const PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];

export interface Repo {
  name: string;
  team: string;
  channel: string;
  main: string; // head of main
  number: number; // PR/issue counter
  clock: number; // simulated time, ms
  cycles: number;
  deploys: number;
}
let slackSeq = 0;

function repoObject(r: Repo) {
  const [owner, name] = r.name.split("/");
  return {
    id: 1000 + r.cycles,
    name,
    full_name: r.name,
    private: true,
    html_url: `https://github.com/${r.name}`,
    default_branch: "main",
    owner: { login: owner },
  };
}

export async function github(
  r: Repo,
  event: string,
  payload: Record<string, unknown>,
  actor: string,
): Promise<Pending> {
  const full = { ...payload, repository: repoObject(r), sender: { login: actor, type: "User" } };
  const req = await githubRequest(event, full, SECRET, randomUUID());
  return {
    platform: "github",
    deliveryId: req.headers["x-github-delivery"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: githubType(event, full),
    priority: githubPriority(event, full),
  };
}

export function slack(r: Repo, text: string, at: number, threadTs?: string): { pending: Pending; ts: string } {
  const ts = `${Math.floor(at / 1000)}.${String(++slackSeq).padStart(6, "0")}`;
  const envelope = slackMessage({
    teamId: "T0ACME",
    appId: "A0SWITCH",
    eventId: `Ev${run}${slackSeq}`,
    eventTime: Math.floor(at / 1000),
    channel: r.channel,
    user: `U${pick(PEOPLE).toUpperCase()}`,
    text,
    ts,
    threadTs,
  });
  const req = slackRequest(JSON.stringify(envelope), "application/json", SECRET);
  const type = slackType({ kind: "event", envelope, event: envelope.event });
  return {
    ts,
    pending: {
      platform: "slack",
      deliveryId: envelope.event_id,
      contentType: "application/json",
      headers: req.headers,
      body: req.body,
      type,
      priority: slackPriority(type),
    },
  };
}

export function linear(action: string, data: Record<string, unknown>, at: number): Pending {
  const payload = linearWebhook({
    action,
    type: "Issue",
    data,
    url: String(data.url),
    createdAt: new Date(at).toISOString(),
    actor: pick(PEOPLE),
  });
  const req = linearRequest(payload, SECRET, randomUUID());
  return {
    platform: "linear",
    deliveryId: req.headers["linear-delivery"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: linearType(payload),
    priority: linearPriority(),
  };
}

export function deploy(
  r: Repo,
  id: string,
  environment: string,
  status: string,
  sha: string,
  started: number,
  finished?: number,
): Pending {
  const body = deployStatus({
    id,
    repository: r.name,
    environment,
    status,
    sha,
    extra: { ref: "main", service: r.name.split("/")[1] },
    url: `https://deploy.example.com/${r.name}/${id}`,
    startedAt: new Date(started).toISOString(),
    finishedAt: finished ? new Date(finished).toISOString() : undefined,
  });
  const req: SignedRequest = deployRequest(body, DEPLOY_SECRET);
  return {
    platform: "deploy",
    deliveryId: req.headers["webhook-id"]!,
    contentType: "application/json",
    headers: req.headers,
    body: req.body,
    type: `deploy.${status}`,
    priority: deployPriority(status),
  };
}
