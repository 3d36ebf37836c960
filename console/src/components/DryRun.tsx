import { useState } from "react";
import { api, problemsOf, type EventSummary, type RuleTest } from "../api";
import { fmtTime } from "../format";
import { parseObject } from "../json";
import { useApi } from "../useApi";
import { KeyLink } from "./KeyLink";
import { ProblemList } from "./Status";

/**
 * POST /api/rules/test: the links the editor's rule would make from one stored event, without
 * saving the rule or writing a link. The event is picked among recent ones of the rule's type, or
 * given by id.
 */
export function DryRun({ text, initialEvent }: { text: string; initialEvent: string }) {
  const [eventId, setEventId] = useState(initialEvent);
  const [result, setResult] = useState<{ event: EventSummary; links: RuleTest["links"] } | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const parsed = parseObject(text);
  const on = "value" in parsed && typeof parsed.value.on === "string" ? parsed.value.on : "";
  const candidates = useApi((s) => (on ? api.events({ type: on, limit: 20 }, s) : Promise.resolve(null)), [on]);

  async function run() {
    setResult(null);
    if ("error" in parsed) return setProblems([parsed.error]);
    if (!eventId.trim()) return setProblems(["choose an event"]);
    setBusy(true);
    try {
      // The list carries payloads, but an id typed by hand needs the stored event.
      const event =
        candidates.data?.items.find((e) => e.id === eventId.trim()) ?? (await api.event(eventId.trim())).event;
      const { links } = await api.testRule(parsed.value, event);
      setProblems([]);
      setResult({ event, links });
    } catch (err) {
      setProblems(problemsOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="dry-run">
      <h3>Dry run</h3>
      <p className="muted small">
        The links the rule in the editor would make from one stored event. Nothing is saved.
      </p>
      <label>
        recent {on || "events"}
        <select value={eventId} onChange={(e) => setEventId(e.target.value)} name="candidate">
          <option value="">choose…</option>
          {(candidates.data?.items ?? []).map((e) => (
            <option key={e.id} value={e.id}>
              {fmtTime(e.occurredAt)} · {e.type} · {e.subject ?? ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        or event id
        <input
          name="event-id"
          className="mono"
          placeholder="UUID"
          value={eventId}
          onChange={(e) => setEventId(e.target.value)}
        />
      </label>
      <button className="secondary" onClick={run} disabled={busy}>
        Dry run
      </button>
      <ProblemList problems={problems} />
      {result && (
        <div className="result" data-testid="dry-run-result">
          <p>
            {result.links.length
              ? `Would make ${result.links.length} link${result.links.length > 1 ? "s" : ""}`
              : "Would make no link: the event does not match the rule's type, where or pattern"}{" "}
            from {result.event.type} of {fmtTime(result.event.occurredAt)}:
          </p>
          {result.links.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th>from</th>
                  <th>relation</th>
                  <th>to</th>
                  <th>confidence</th>
                </tr>
              </thead>
              <tbody>
                {result.links.map((l) => (
                  <tr key={`${l.from}|${l.to}|${l.relation}`}>
                    <td>
                      <KeyLink k={l.from} label={l.from} />
                    </td>
                    <td>{l.relation}</td>
                    <td>
                      <KeyLink k={l.to} label={l.to} />
                    </td>
                    <td className="num">{l.confidence}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </div>
  );
}
