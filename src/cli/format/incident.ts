import { table } from "./table.js";
import { clip, when } from "./values.js";
import type { IncidentDetail, IncidentList } from "../../api/schemas/answers.js";

/** `switchyard incidents`: one line each, with its most likely cause. */
export function incidentsTable(answer: IncidentList): string {
  const rows = answer.items.map((i) => [
    when(i.openedAt),
    i.status,
    i.service ?? i.repository ?? "",
    clip(i.title, 40),
    i.cause ? `${i.cause.deploy} (${i.cause.confidence.toFixed(2)})` : "",
    i.key,
  ]);
  return table(["opened", "status", "service", "title", "likely cause", "key"], rows, "no incidents");
}

/** `switchyard incident KEY`: its times, then its suspects best first, each with its reasons. */
export function incidentView(d: IncidentDetail): string {
  const i = d.incident;
  const lines = [
    `${i.key} · ${i.status}${i.title ? ` · ${i.title}` : ""}`,
    `service ${i.service ?? "—"} · environment ${i.environment ?? "—"} · repository ${i.repository ?? "—"}`,
    `opened ${when(i.openedAt)} · acknowledged ${when(i.acknowledgedAt)} · resolved ${when(i.resolvedAt)}`,
  ];
  if (i.url) lines.push(i.url);
  lines.push("", d.suspects.length ? "suspects, best first:" : "no suspect deploys");
  for (const s of d.suspects) {
    lines.push(`  ${s.confidence.toFixed(2)}  ${s.deploy}  ${s.repository} → ${s.environment}, ${when(s.finishedAt)}`);
    for (const r of s.reasons) lines.push(`        ${r}`);
  }
  return lines.join("\n");
}
