import type { HistoryPage, HistoryResource, HistorySource } from "../../../import/history.js";
import { attachmentDeliveries, issueDeliveries, type HistoryWindow } from "./bodies.js";
import {
  ISSUE_ATTACHMENTS,
  ISSUE_HISTORY,
  ISSUES_PAGE,
  type AttachmentNode,
  type Connection,
  type HistoryNode,
  type IssueNode,
  type IssuesPageData,
} from "./query.js";
import { linearRequester, type LinearRequest, type LinearRetryOptions } from "./request.js";

export interface LinearHistoryOptions {
  /** `LINEAR_API_KEY`. */
  apiKey: string;
  /** `LINEAR_API_URL`. */
  apiUrl: string;
  /** A team key (`ENG`); every team the key can read when absent. */
  team?: string;
  /** Issues updated since, and their changes since. */
  since?: Date;
  /** Changes after this are left to webhooks and the next import. */
  now?: Date;
  /**
   * Issues per page (default 20), and the history entries and attachments read with each (30, 10):
   * about 5,000 complexity points a page by Linear's count, half its 10,000 limit for one query.
   */
  pageSize?: number;
  nestedSize?: { history?: number; attachments?: number };
  retry?: LinearRetryOptions;
}

/** Follow-up pages of a nested connection that held more than the page's `first`. */
const FOLLOW_UP = 100;

/** The rest of a nested connection, a request per FOLLOW_UP items (rare: an issue with a long history). */
async function rest<T>(first: Connection<T>, next: (after: string) => Promise<Connection<T> | null>): Promise<T[]> {
  const all = [...first.nodes];
  let info = first.pageInfo;
  while (info.hasNextPage && info.endCursor) {
    const more = await next(info.endCursor);
    if (!more) break;
    all.push(...more.nodes);
    info = more.pageInfo;
  }
  return all;
}

function issuesResource(o: LinearHistoryOptions, request: LinearRequest): HistoryResource {
  const window: HistoryWindow = { since: o.since, now: o.now };
  const filter: Record<string, unknown> = {};
  if (o.team) filter.team = { key: { eq: o.team.toUpperCase() } };
  if (o.since) filter.updatedAt = { gte: o.since.toISOString() };
  const historyFirst = o.nestedSize?.history ?? 30;
  const attachmentsFirst = o.nestedSize?.attachments ?? 10;

  const history = (i: IssueNode) =>
    rest<HistoryNode>(i.history, async (after) => {
      const d = await request<{ issue: { history: Connection<HistoryNode> } | null }>(ISSUE_HISTORY, {
        id: i.id,
        first: FOLLOW_UP,
        after,
      });
      return d.issue?.history ?? null;
    });
  const attachments = (i: IssueNode) =>
    rest<AttachmentNode>(i.attachments, async (after) => {
      const d = await request<{ issue: { attachments: Connection<AttachmentNode> } | null }>(ISSUE_ATTACHMENTS, {
        id: i.id,
        first: FOLLOW_UP,
        after,
      });
      return d.issue?.attachments ?? null;
    });

  return {
    name: "issues",
    // The cursor is Linear's own (`pageInfo.endCursor`): a saved one resumes where the last page ended.
    async page(cursor): Promise<HistoryPage> {
      const data = await request<IssuesPageData>(ISSUES_PAGE, {
        first: o.pageSize ?? 20,
        after: cursor,
        filter: Object.keys(filter).length ? filter : undefined,
        historyFirst,
        attachmentsFirst,
      });
      const organizationId = data.organization?.id;
      const deliveries = [];
      for (const issue of data.issues.nodes) {
        deliveries.push(...issueDeliveries(issue, await history(issue), organizationId, window));
        deliveries.push(...attachmentDeliveries(issue, await attachments(issue), organizationId, window));
      }
      const { hasNextPage, endCursor } = data.issues.pageInfo;
      return { deliveries, items: data.issues.nodes.length, next: hasNextPage && endCursor ? endCursor : null };
    },
  };
}

/**
 * A Linear team's history (or every team's) for the import runner: one resource, `issues`, read a
 * page at a time, most recently updated first, each issue with its history and attachments nested
 * (bodies.ts turns them into the webhooks Linear would have sent).
 */
export function linearHistory(o: LinearHistoryOptions): HistorySource {
  const request = linearRequester(o);
  return {
    platform: "linear",
    scope: o.team ? o.team.toUpperCase() : "*",
    resources: [issuesResource(o, request)],
  };
}
