// Formatting shared by the pages. Times are shown in UTC, as the API gives them, so what an analyst
// reads matches what the API, the CLI and the logs say.

/** `2026-11-02 09:00:00` (UTC). */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace("T", " ");
}

/** `2026-11-02`. */
export const fmtDate = (iso: string) => fmtTime(iso).slice(0, 10);

/** A duration in seconds, in the largest unit that reads well: `45 s`, `12 min`, `3.5 h`, `2.1 d`. */
export function fmtDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.abs(seconds);
  if (s < 60) return `${Math.round(seconds)} s`;
  if (s < 3600) return `${round(seconds / 60)} min`;
  if (s < 86_400) return `${round(seconds / 3600)} h`;
  return `${round(seconds / 86_400)} d`;
}

const round = (n: number) => (Math.abs(n) >= 10 ? Math.round(n) : Math.round(n * 10) / 10).toString();

/** `1 change`, `3 changes`; `1 recovery`, `2 recoveries` with the plural given. */
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export const fmtPercent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? "—" : `${Math.round(rate * 1000) / 10} %`;

/** Deploys per day, as people say it: `3.2 / day`, `2 / week`, `0.5 / week`. */
export function fmtFrequency(perDay: number): string {
  if (perDay >= 1) return `${round(perDay)} / day`;
  if (perDay * 7 >= 0.1) return `${round(perDay * 7)} / week`;
  return `${round(perDay * 30)} / month`;
}

/** How long ago, coarsely. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const s = (now - new Date(iso).getTime()) / 1000;
  return s < 0 ? `in ${fmtDuration(-s)}` : `${fmtDuration(s)} ago`;
}

/**
 * The kind of an entity key, as the API names it: `github:pr:…` → `github.pr`, `deploy:…` → `deploy`,
 * `incident:…` → `incident`.
 */
export function kindOf(key: string): string {
  const [a, b] = key.split(":");
  return a === "deploy" || a === "incident" ? a : `${a}.${b}`;
}

/**
 * A key without its kind prefix, commits with a short SHA: `acme/web#7`, `acme/web@e1aa000`, `ENG-42`;
 * an incident keeps its source: `pagerduty:PGR0VU2`.
 */
export function shortKey(key: string): string {
  const kind = kindOf(key);
  const rest =
    kind === "deploy"
      ? key.slice(key.indexOf(":", 7) + 1)
      : key
          .split(":")
          .slice(kind === "incident" ? 1 : 2)
          .join(":");
  if (kind === "github.commit" || kind === "gitlab.commit") return rest.replace(/@([0-9a-f]{7})[0-9a-f]{33}$/, "@$1");
  return rest || key;
}

export const KIND_LABELS: Record<string, string> = {
  "github.pr": "Pull request",
  "github.issue": "GitHub issue",
  "github.commit": "Commit",
  "github.repo": "Repository",
  "linear.issue": "Linear issue",
  "slack.message": "Slack message",
  "gitlab.mr": "Merge request",
  "gitlab.issue": "GitLab issue",
  "gitlab.commit": "GitLab commit",
  "gitlab.repo": "GitLab project",
  deploy: "Deploy",
  incident: "Incident",
};

export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

/** `Pull requests`, `Repositories`: headings of lists of one kind. */
export const kindLabelPlural = (kind: string) => {
  const label = kindLabel(kind);
  return label.endsWith("y") ? `${label.slice(0, -1)}ies` : `${label}s`;
};

/** The console page of a key: deploys have their own page, everything else the entity page. */
export function pathOf(key: string): string {
  return kindOf(key) === "deploy" ? `/deploys/${encodeURIComponent(key)}` : `/entities/${encodeURIComponent(key)}`;
}

/** `datetime-local` input value (UTC) ⇄ ISO-8601 with `Z`, as the API wants. */
export const localInputToIso = (v: string) => (v ? `${v.length === 16 ? `${v}:00` : v}Z` : "");
export const isoToLocalInput = (iso: string | null | undefined) => (iso ? iso.slice(0, 16) : "");

/**
 * An external URL from a webhook payload (an entity's or a deploy's `url`) as a link target: only
 * http: and https:. The receivers check such a field is a URL, not which kind, so `javascript:`,
 * `data:` and the like reach the console; those, and anything unparsable, are no link.
 */
export function safeHref(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
}
