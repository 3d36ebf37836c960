import { createHash } from "node:crypto";
import { LinearClient } from "@linear/sdk";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { beginNotice, recordNoticeComment, type NoticeKey } from "../../store/linear-notices.js";
import { PREFIX } from "../../shared/keys.js";
import {
  failedOutcome,
  type EntityRef,
  type MilestoneData,
  type Sender,
  type SendOutcome,
} from "../../shared/outbound.js";
import { entityLabel } from "./labels.js";
import { parseRetryAfter } from "../schedule.js";
import { keyLabel } from "../../shared/keys.js";
import { isRateLimited, PERMANENT_ERROR_TYPES, rateLimitResetMs } from "../../platforms/linear/api-errors.js";

/**
 * `kind: "linear"` (contract §9). It acts on `issue.shipped` of a Linear issue only: a comment on the
 * issue once per (subscription, issue, deploy), and with `moveTo` a move to that workflow state.
 * Any other message is answered ok with nothing done (a subscription may match more types).
 *
 * Once, also when an attempt is cut off: the notice row is written before anything is sent, and
 * the comment is created with an id derived from the notice, so a repeated create cannot make a
 * second comment (the id is taken); an attempt that finds the notice begun but unconfirmed asks
 * Linear whether the comment exists before creating it. The move comes first and the comment
 * last, so a recorded comment means all is done and a redelivery moves nothing back after
 * someone moved the issue on.
 */

export interface LinearSenderOptions {
  /** `LINEAR_API_KEY` (a personal API key, or an OAuth token as `Bearer …`). */
  apiKey?: string;
  /** `LINEAR_API_URL`, e.g. `https://api.linear.app/graphql`. */
  apiUrl: string;
  prisma: PrismaClient;
  /** For the whole attempt (contract §9: 15 s). */
  timeoutMs?: number;
  /** How long a team's workflow states are reused. */
  statesTtlMs?: number;
}

type IssueShipped = MilestoneData["issue.shipped"];
interface State {
  id: string;
  name: string;
}

// Small documents of our own for the reads: Linear's rate limit counts query complexity, and the
// SDK's `issue` fragment reads every field of an issue. The writes use the SDK's mutations.
const ISSUE_QUERY = `query SwitchyardIssue($id: String!) {
  issue(id: $id) { id identifier state { id } team { id } }
}`;
const TEAM_STATES_QUERY = `query SwitchyardTeamStates($id: String!) {
  team(id: $id) { states(first: 250) { nodes { id name } } }
}`;
const COMMENT_QUERY = `query SwitchyardComment($id: String!) {
  comment(id: $id) { id }
}`;

/** An outcome that ends the attempt early (an unknown state name): thrown, turned into the answer. */
class Outcome extends Error {
  constructor(readonly outcome: SendOutcome) {
    super(outcome.error);
  }
}

/** The comment's id: a UUID (v4 layout, as Linear asks) derived from the notice, the same on every attempt. */
export function noticeCommentId(key: NoticeKey): string {
  const h = createHash("sha256").update(`switchyard|${key.subscriptionId}|${key.issue}|${key.deploy}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Markdown link text: brackets would end it. */
const md = (s: string) => s.replace(/[[\]]/g, (c) => `\\${c}`);
const mdLink = (label: string, url: string | null) =>
  url && /^https?:\/\//i.test(url) ? `[${md(label)}](${url.replace(/[()\s]/g, encodeURIComponent)})` : md(label);

/** The comment: one line, with links to the deploy and the PRs that shipped the issue. */
function linearCommentBody(d: IssueShipped): string {
  const deploy = mdLink(keyLabel(d.deploy.key), d.deploy.url);
  const where = [d.repository, d.deploy.sha ? `\`${d.deploy.sha.slice(0, 7)}\`` : null].filter(Boolean).join(" @ ");
  const prs = d.pullRequests.map((pr: EntityRef) => mdLink(entityLabel(pr, d.repository), pr.url));
  return [
    `🚀 Shipped to **${md(d.environment)}** by deploy ${deploy} (${where}).`,
    ...(prs.length ? [`Pull requests: ${prs.join(", ")}`] : []),
    "",
    "_Posted by Switchyard._",
  ].join("\n");
}

/** How long Linear asks us to wait: `Retry-After`, else the earliest reset of its request or complexity budget. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  return parseRetryAfter(headers?.get("retry-after"), Date.now()) || rateLimitResetMs(headers);
}

interface LinearLikeError {
  type?: string;
  status?: number;
  message?: string;
  raw?: { response?: { headers?: Headers } };
}

/** A Linear error as an attempt's outcome. The SDK's messages hold the query and variables, never the key. */
function linearFailure(err: unknown): SendOutcome {
  if (err instanceof Outcome) return err.outcome;
  const e = (err ?? {}) as LinearLikeError;
  const statusCode = typeof e.status === "number" ? e.status : null;
  const message = (e.message || String(err)).slice(0, 300);
  if (isRateLimited(err))
    return failedOutcome("Linear rate limit (RATELIMITED)", {
      statusCode,
      retryAfterMs: retryAfterMs(e.raw?.response?.headers),
    });
  if (e.type === "AuthenticationError" && statusCode !== null && statusCode >= 400 && statusCode < 500)
    return failedOutcome("Linear refused LINEAR_API_KEY", { statusCode, permanent: true });
  const permanent = typeof e.type === "string" && PERMANENT_ERROR_TYPES.has(e.type);
  // Timeouts and network failures, Linear's internal errors, lock timeouts: worth another attempt.
  return failedOutcome(`Linear: ${message}`, { statusCode, permanent });
}

export function linearSender(options: LinearSenderOptions): Sender {
  const { apiKey, apiUrl, prisma } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const ttl = options.statesTtlMs ?? 5 * 60_000;
  /** Team id → its workflow states: a move needs them, they change rarely. */
  const states = new Map<string, { states: State[]; until: number }>();

  const query = async <T>(client: LinearClient, doc: string, variables: Record<string, unknown>) =>
    (await client.client.rawRequest<T, Record<string, unknown>>(doc, variables)).data as T;

  async function teamStates(client: LinearClient, teamId: string, fresh: boolean): Promise<State[]> {
    const cached = states.get(teamId);
    if (cached && !fresh && cached.until > Date.now()) return cached.states;
    const data = await query<{ team: { states: { nodes: State[] } } }>(client, TEAM_STATES_QUERY, { id: teamId });
    const list = data.team.states.nodes;
    states.set(teamId, { states: list, until: Date.now() + ttl });
    return list;
  }

  /** Moves the issue to the state named `moveTo` of its team; a name the team lacks is permanent. */
  async function move(client: LinearClient, identifier: string, moveTo: string): Promise<string> {
    const { issue } = await query<{ issue: { id: string; state: { id: string } | null; team: { id: string } } }>(
      client,
      ISSUE_QUERY,
      { id: identifier },
    );
    const wanted = moveTo.trim().toLowerCase();
    const find = (list: State[]) => list.find((s) => s.name.trim().toLowerCase() === wanted);
    // A state added since the cache was filled: read the team's states again before giving up.
    const state =
      find(await teamStates(client, issue.team.id, false)) ?? find(await teamStates(client, issue.team.id, true));
    if (!state)
      throw new Outcome(
        failedOutcome(`Linear: no workflow state named "${moveTo}" in the team of ${identifier}`, { permanent: true }),
      );
    if (issue.state?.id === state.id) return `already in ${state.name}`;
    const res = await client.updateIssue(issue.id, { stateId: state.id });
    if (!res.success) throw new Outcome(failedOutcome("Linear: issueUpdate did not succeed"));
    return `moved to ${state.name}`;
  }

  /** Whether the comment exists; Linear answers an unknown id with an error. */
  const commentExists = (client: LinearClient, id: string) =>
    query<{ comment: { id: string } | null }>(client, COMMENT_QUERY, { id }).then(
      (found) => found.comment?.id === id,
      () => false,
    );

  /** Creates the comment under its derived id; after a failure, one that exists already is the one just made. */
  async function comment(client: LinearClient, id: string, issueId: string, body: string): Promise<void> {
    try {
      const res = await client.createComment({ id, issueId, body });
      if (!res.success) throw new Outcome(failedOutcome("Linear: commentCreate did not succeed"));
    } catch (err) {
      if (err instanceof Outcome || isRateLimited(err)) throw err;
      if (!(await commentExists(client, id))) throw err;
    }
  }

  return async (target, message) => {
    if (!apiKey) return failedOutcome("LINEAR_API_KEY is not set", { permanent: true });
    if (message.payload.type !== "issue.shipped")
      return { ok: true, statusCode: null, response: `nothing to do for ${message.payload.type}` };
    const data = message.payload.data as IssueShipped;
    const issueKey = data?.issue?.key;
    if (typeof issueKey !== "string" || !issueKey.startsWith(PREFIX.linearIssue) || !data.deploy?.key)
      return { ok: true, statusCode: null, response: "nothing to do: not a Linear issue" };
    const identifier = issueKey.slice(PREFIX.linearIssue.length);
    const key: NoticeKey = { subscriptionId: target.id, issue: issueKey, deploy: data.deploy.key };

    let client: LinearClient;
    try {
      client = new LinearClient({ apiKey, apiUrl, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
    } catch (err) {
      // The SDK refuses a plain-http URL that is not loopback.
      return failedOutcome(`LINEAR_API_URL refused: ${(err as Error).message}`, { permanent: true });
    }
    let notice;
    try {
      notice = await beginNotice(prisma, key);
    } catch (err) {
      return failedOutcome(`could not read the Linear notice: ${(err as Error).message}`.slice(0, 300));
    }
    if (notice.commentId)
      return { ok: true, statusCode: 200, response: `already commented on ${identifier}: ${notice.commentId}` };
    const commentId = noticeCommentId(key);
    try {
      const moved = target.moveTo ? await move(client, identifier, target.moveTo) : null;
      // An earlier attempt began this notice: its comment may exist though its answer never came.
      if (notice.fresh || !(await commentExists(client, commentId)))
        await comment(client, commentId, identifier, linearCommentBody(data));
      await recordNoticeComment(prisma, key, commentId).catch((err: Error) => {
        throw new Outcome(failedOutcome(`could not record the Linear notice: ${err.message}`.slice(0, 300)));
      });
      return {
        ok: true,
        statusCode: 200,
        response: `commented on ${identifier}: ${commentId}${moved ? `; ${moved}` : ""}`,
      };
    } catch (err) {
      return linearFailure(err);
    }
  };
}
