/** A status word in a colour that says good, bad or waiting. */
const TONE: Record<string, string> = {
  succeeded: "good",
  stored: "good",
  ok: "good",
  ready: "good",
  completed: "good",
  elite: "good",
  high: "fine",
  enabled: "good",
  failed: "bad",
  dead: "bad",
  unprocessable: "bad",
  unreachable: "bad",
  low: "bad",
  cancelled: "muted",
  disabled: "muted",
  medium: "warn",
  pending: "warn",
  started: "warn",
  queued: "warn",
  active: "warn",
  waiting: "warn",
  delayed: "warn",
};

export type Tone = "good" | "fine" | "warn" | "bad" | "muted" | "plain";

/** Event priorities (contract §3) read differently from statuses: `low` is not bad news. */
export const PRIORITY_TONE: Record<string, Tone> = { critical: "bad", high: "warn", normal: "plain", low: "muted" };

export function Badge({ value, title, tone }: { value: string; title?: string; tone?: Tone }) {
  return (
    <span className={`badge ${tone ?? TONE[value.toLowerCase()] ?? "plain"}`} title={title}>
      {value}
    </span>
  );
}
