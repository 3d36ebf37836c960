// The console's client of the query API (contract §6, §8, §9): typed answers, bearer token from the
// session, and one place where a 401 signs the user out.
import { getToken } from "./auth";

import type * as Answers from "../../src/api/schemas/answers";
import { PLATFORMS, WEBHOOK_PLATFORMS, type Platform } from "../../src/shared/event";

// The answers' types are the API's own (src/api/schemas/), as they travel: times as ISO strings.
export { PLATFORMS, WEBHOOK_PLATFORMS, type Platform };
export type {
  Bucket,
  Deploy,
  DeployChanges,
  DoraBands,
  DoraDeploy,
  DoraFigures,
  DoraReport,
  Entity,
  EntityGraph,
  EventDetail,
  Group,
  Job,
  LeadTimeReport,
  Link,
  OutboundDelivery,
  Page,
  QueueCounts,
  Repository,
  Rule,
  RuleTest,
  StageSummary,
  StoredDelivery,
  Subscription,
  Token,
} from "../../src/api/schemas/answers";

/** What DORA and lead time are counted over: one repository, or a group's repositories and services. */
export type Scope = { repository: string; group?: undefined } | { group: string; repository?: undefined };

/**
 * A unified event (contract §3) as the pages show it: lists carry every field, timelines and the
 * stream leave some out.
 */
export type EventSummary = Answers.TimelineEvent & Partial<Omit<Answers.Event, keyof Answers.TimelineEvent>>;

/** A link's identity: the graph's edge id and the links table's row key. */
export { linkId } from "../../src/correlate/facts";

/** A window of time as the API takes it: ISO-8601, `until` excluded. */
export interface Period {
  since: string;
  until: string;
}

/** An API refusal: the status and the problems the API listed (422 validation messages, …). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** What a failed call has to say, as a list: the problems the API listed, else the error's message. */
export function problemsOf(err: unknown): string[] {
  const e = err as Error;
  return e instanceof ApiError && e.problems.length ? e.problems : [e.message];
}

let unauthorized: (() => void) | null = null;
/** Called when the API refuses the session's token (401), e.g. after it was rotated away. */
export function onUnauthorized(handler: () => void): () => void {
  unauthorized = handler;
  return () => {
    if (unauthorized === handler) unauthorized = null;
  };
}

type Query = Record<string, string | number | undefined | null>;

/** `?a=1&b=2`, leaving out empty values (the API treats `?a=` as a value, not as absent). */
export function queryString(q: Query): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Another token than the session's (sign-in checks the one typed). */
  token?: string;
}

export async function request<T>(path: string, o: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const token = o.token ?? getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (o.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method: o.method ?? "GET",
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    signal: o.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's HTML error page: keep the status, say what came back.
  }
  if (!res.ok) {
    const body = (json ?? {}) as { error?: string; problems?: string[] };
    if (res.status === 401 && !o.token) unauthorized?.();
    throw new ApiError(res.status, body.error ?? `${res.status} ${res.statusText}`, body.problems ?? []);
  }
  return json as T;
}

const SHARED_MS = 10_000;
const shared = new Map<string, { at: number; answer: Promise<unknown> }>();

/**
 * A GET answered from the same request made in the last few seconds: a page that shows one answer
 * in two places (DORA's table and its charts) asks once. Not abortable: another part may wait on it.
 */
export function sharedGet<T>(path: string): Promise<T> {
  const now = Date.now();
  for (const [k, v] of shared) if (now - v.at > SHARED_MS) shared.delete(k);
  const hit = shared.get(path);
  if (hit) return hit.answer as Promise<T>;
  const answer = request<T>(path);
  shared.set(path, { at: now, answer });
  answer.catch(() => shared.delete(path));
  return answer;
}

export interface EventFilter {
  platform?: string;
  type?: string;
  subject?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export const api = {
  /** Who the token is and what it may do (scopes); any valid token may ask. */
  token: (token?: string) => request<Answers.Token>("/api/token", token ? { token } : {}),
  events: (f: EventFilter, signal?: AbortSignal) =>
    request<Answers.Page<EventSummary>>(`/api/events${queryString({ ...f })}`, { signal }),
  event: (id: string, signal?: AbortSignal) => request<Answers.EventDetail>(`/api/events/${enc(id)}`, { signal }),
  entity: (key: string, depth: number, signal?: AbortSignal) =>
    request<Answers.EntityGraph>(`/api/entities/${enc(key)}${queryString({ depth })}`, { signal }),
  deployChanges: (key: string, signal?: AbortSignal) =>
    request<Answers.DeployChanges>(`/api/deploys/${enc(key)}/changes`, { signal }),
  dora: (q: Scope & { environment?: string; bucket?: Answers.Bucket } & Partial<Period>) =>
    sharedGet<Answers.DoraReport>(`/api/metrics/dora${queryString({ ...q })}`),
  leadTime: (q: Scope & { environment?: string } & Partial<Period>) =>
    sharedGet<Answers.LeadTimeReport>(`/api/metrics/lead-time${queryString({ ...q })}`),
  groups: () => sharedGet<Answers.GroupList>("/api/groups").then((r) => r.items),
  repositories: () => sharedGet<Answers.RepositoryList>("/api/repositories").then((r) => r.items),

  rules: (signal?: AbortSignal) => request<Answers.RuleList>("/api/rules", { signal }).then((r) => r.items),
  createRule: (rule: unknown) => request<Answers.Rule>("/api/rules", { method: "POST", body: rule }),
  updateRule: (name: string, body: unknown) =>
    request<Answers.Rule>(`/api/rules/${enc(name)}`, { method: "PUT", body }),
  deleteRule: (name: string) => request<void>(`/api/rules/${enc(name)}`, { method: "DELETE" }),
  testRule: (rule: unknown, event: EventSummary) =>
    request<Answers.RuleTest>("/api/rules/test", {
      method: "POST",
      body: {
        rule,
        event: {
          id: event.id,
          platform: event.platform,
          type: event.type,
          subject: event.subject,
          actor: event.actor,
          payload: event.payload ?? null,
        },
      },
    }),
  backfill: (name: string) => request<Answers.BackfillStarted>(`/api/rules/${enc(name)}/backfill`, { method: "POST" }),
  job: (id: string, signal?: AbortSignal) => request<Answers.Job>(`/api/jobs/${enc(id)}`, { signal }),

  queue: (signal?: AbortSignal) => request<Answers.QueueCounts>("/api/queue", { signal }),
  deliveries: (q: { status?: string; platform?: string; limit?: number; cursor?: string }, signal?: AbortSignal) =>
    request<Answers.StoredDeliveryPage>(`/api/deliveries${queryString({ ...q })}`, { signal }),
  reprocess: (id: string) =>
    request<Answers.Reprocessed>(`/api/deliveries/${enc(id)}/reprocess`, {
      method: "POST",
    }),

  subscriptions: (signal?: AbortSignal) =>
    request<Answers.SubscriptionList>("/api/subscriptions", { signal }).then((r) => r.items),
  subscriptionDeliveries: (
    name: string,
    q: { status?: string; limit?: number; cursor?: string },
    signal?: AbortSignal,
  ) =>
    request<Answers.OutboundDeliveryPage>(`/api/subscriptions/${enc(name)}/deliveries${queryString({ ...q })}`, {
      signal,
    }),
  retryDelivery: (name: string, id: string) =>
    request<Answers.MessageRetried>(`/api/subscriptions/${enc(name)}/deliveries/${enc(id)}/retry`, { method: "POST" }),
  createSubscription: (body: unknown) =>
    request<Answers.SavedSubscription>("/api/subscriptions", { method: "POST", body }),
  /** PUT: the fields given replace the stored ones; `{enabled: true}` also clears why it was disabled. */
  updateSubscription: (name: string, body: Partial<Answers.Subscription>) =>
    request<Answers.SavedSubscription>(`/api/subscriptions/${enc(name)}`, { method: "PUT", body }),
  deleteSubscription: (name: string) => request<void>(`/api/subscriptions/${enc(name)}`, { method: "DELETE" }),
  testSubscription: (name: string) =>
    request<Answers.TestMessage>(`/api/subscriptions/${enc(name)}/test`, { method: "POST" }),

  openapi: (signal?: AbortSignal) => request<OpenApiDocument>("/api/openapi.json", { signal }),
};

/** The parts of an OpenAPI 3.1 document the reference page renders. */
export interface OpenApiDocument {
  openapi: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, OpenApiOperation | unknown>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: unknown }>;
  requestBody?: { description?: string; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
