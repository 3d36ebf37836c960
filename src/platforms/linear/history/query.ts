/**
 * The GraphQL documents the history import sends, and the shapes they answer. Raw documents rather
 * than the SDK's typed models: those load an issue's state, team, labels, history and attachments
 * with a request each, where one document reads a page of issues with all of them nested
 * (connections bounded by `first`, so the query stays under Linear's complexity limit).
 */

export interface UserNode {
  id: string;
  name: string;
  email?: string | null;
  url?: string | null;
}
export interface StateNode {
  id: string;
  name: string;
  type: string;
  color?: string | null;
}
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}
export interface HistoryNode {
  id: string;
  createdAt: string;
  actor?: UserNode | null;
  fromState?: StateNode | null;
  toState?: StateNode | null;
}
export interface AttachmentNode {
  id: string;
  title: string;
  subtitle?: string | null;
  url: string;
  sourceType?: string | null;
  groupBySource?: boolean | null;
  metadata?: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  creator?: UserNode | null;
}
export interface IssueNode {
  id: string;
  identifier: string;
  number: number;
  title: string;
  description?: string | null;
  priority?: number | null;
  priorityLabel?: string | null;
  estimate?: number | null;
  url: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string | null;
  completedAt?: string | null;
  canceledAt?: string | null;
  dueDate?: string | null;
  team: { id: string; key: string; name: string };
  state: StateNode;
  labels: { nodes: Array<{ id: string; name: string; color?: string | null }> };
  assignee?: UserNode | null;
  creator?: UserNode | null;
  project?: { id: string; name: string; url?: string | null } | null;
  cycle?: { id: string; number: number; name?: string | null; startsAt?: string; endsAt?: string } | null;
  history: Connection<HistoryNode>;
  attachments: Connection<AttachmentNode>;
}

const USER = "id name email url";
const STATE = "id name type color";
const HISTORY = `nodes { id createdAt actor { ${USER} } fromState { ${STATE} } toState { ${STATE} } }
      pageInfo { hasNextPage endCursor }`;
const ATTACHMENTS = `nodes { id title subtitle url sourceType groupBySource metadata createdAt updatedAt creator { ${USER} } }
      pageInfo { hasNextPage endCursor }`;

/** A page of issues, most recently updated first, each with its first history entries and attachments. */
export const ISSUES_PAGE = `query SwitchyardHistoryIssues($first: Int!, $after: String, $filter: IssueFilter,
    $historyFirst: Int!, $attachmentsFirst: Int!) {
  organization { id }
  issues(first: $first, after: $after, filter: $filter, orderBy: updatedAt, includeArchived: true) {
    nodes {
      id identifier number title description priority priorityLabel estimate url
      createdAt updatedAt startedAt completedAt canceledAt dueDate
      team { id key name }
      state { ${STATE} }
      labels(first: 50) { nodes { id name color } }
      assignee { ${USER} }
      creator { ${USER} }
      project { id name url }
      cycle { id number name startsAt endsAt }
      history(first: $historyFirst) { ${HISTORY} }
      attachments(first: $attachmentsFirst) { ${ATTACHMENTS} }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The rest of one issue's history, when the page's nested connection had more. */
export const ISSUE_HISTORY = `query SwitchyardHistoryIssueHistory($id: String!, $first: Int!, $after: String) {
  issue(id: $id) { history(first: $first, after: $after) { ${HISTORY} } }
}`;

/** The rest of one issue's attachments. */
export const ISSUE_ATTACHMENTS = `query SwitchyardHistoryIssueAttachments($id: String!, $first: Int!, $after: String) {
  issue(id: $id) { attachments(first: $first, after: $after) { ${ATTACHMENTS} } }
}`;

export interface IssuesPageData {
  organization?: { id: string } | null;
  issues: Connection<IssueNode>;
}
