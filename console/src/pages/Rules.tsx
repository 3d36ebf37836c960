import { useState } from "react";
import { useSearchParams } from "react-router";
import { api, type Rule } from "../api";
import { Backfill } from "../components/Backfill";
import { Badge } from "../components/Badge";
import { DryRun } from "../components/DryRun";
import { RULE_TEMPLATE, RuleEditor, ruleText } from "../components/RuleEditor";
import { ScopeNote } from "../components/ScopeNote";
import { ErrorNote, Loading } from "../components/Status";
import { fmtTime } from "../format";
import { useCan } from "../token";
import { useApi } from "../useApi";

type Panel = { mode: "new" } | { mode: "edit"; name: string } | { mode: "backfill"; name: string } | null;

/**
 * Correlation rules (contract §7): the built-in ones (enable, disable, backfill) and custom ones
 * (create, edit as new versions, delete), with a dry run against a stored event.
 */
export default function Rules() {
  const [params] = useSearchParams();
  // A rule author's own rules first, then the built-in ones in the service's order.
  const rules = useApi(
    (s) => api.rules(s).then((list) => [...list].sort((a, b) => Number(a.builtin) - Number(b.builtin))),
    [],
  );
  const [error, setError] = useState<Error | undefined>();
  // Coming from an event's page (?event=<id>): open a new rule with that event ready for a dry run.
  const initialEvent = params.get("event") ?? "";
  const [panel, setPanel] = useState<Panel>(initialEvent ? { mode: "new" } : null);
  const [text, setText] = useState(ruleText(RULE_TEMPLATE));
  const can = useCan();

  const act = async (what: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await what();
      rules.reload();
    } catch (err) {
      setError(err as Error);
    }
  };

  const edit = (r: Rule) => {
    setText(ruleText(r.builtin ? undefined : r.definition));
    setPanel({ mode: "edit", name: r.name });
  };

  return (
    <>
      <h1>
        Rules{" "}
        {can.write && (
          <button
            onClick={() => {
              setText(ruleText(RULE_TEMPLATE));
              setPanel({ mode: "new" });
            }}
          >
            New rule
          </button>
        )}
      </h1>
      <ScopeNote scope="write" what="create, change, delete or backfill rules" />
      <ErrorNote error={error ?? rules.error} />
      {can.write && (panel?.mode === "new" || panel?.mode === "edit") && (
        <section className="card grid two">
          <RuleEditor
            key={panel.mode === "edit" ? panel.name : "new"}
            editing={panel.mode === "edit" ? panel.name : null}
            text={text}
            onText={setText}
            onSaved={(r) => {
              rules.reload();
              setPanel({ mode: "edit", name: r.name });
            }}
          />
          <DryRun text={text} initialEvent={initialEvent} />
        </section>
      )}
      {can.write && panel?.mode === "backfill" && (
        <section className="card">
          <Backfill key={panel.name} rule={panel.name} />
        </section>
      )}
      <section className="card">
        {rules.loading && !rules.data && <Loading />}
        {rules.data && (
          <table className="rules">
            <thead>
              <tr>
                <th>rule</th>
                <th>kind</th>
                <th>what it links</th>
                <th>confidence</th>
                <th>enabled</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.data.map((r) => (
                <tr key={r.name} data-rule={r.name}>
                  <td>
                    <code>{r.name}</code>
                  </td>
                  <td>
                    {r.builtin ? (
                      "built-in"
                    ) : (
                      <span title={r.updatedAt ? `updated ${fmtTime(r.updatedAt)}` : ""}>custom v{r.version}</span>
                    )}
                  </td>
                  <td className="wrap">
                    {r.builtin ? (
                      <>
                        {r.description} <span className="muted">({r.relation})</span>
                      </>
                    ) : (
                      <>
                        <code>{r.definition?.on}</code> → <code>{r.definition?.link.to}</code>{" "}
                        <span className="muted">({r.definition?.link.relation})</span>
                      </>
                    )}
                  </td>
                  <td className="num">{r.builtin ? r.confidence : r.definition?.link.confidence}</td>
                  <td>
                    <label className="toggle">
                      <input
                        type="checkbox"
                        checked={r.enabled}
                        disabled={!can.write}
                        onChange={(e) => act(() => api.updateRule(r.name, { enabled: e.target.checked }))}
                      />
                      <Badge value={r.enabled ? "enabled" : "disabled"} />
                    </label>
                  </td>
                  <td className="actions nowrap">
                    {can.write && !r.builtin && (
                      <button className="link" onClick={() => edit(r)}>
                        Edit
                      </button>
                    )}
                    {can.write && (
                      <button className="link" onClick={() => setPanel({ mode: "backfill", name: r.name })}>
                        Backfill
                      </button>
                    )}
                    {can.write && !r.builtin && (
                      <button
                        className="link danger"
                        onClick={() =>
                          window.confirm(`Delete rule ${r.name} and the links it made?`) &&
                          act(async () => {
                            await api.deleteRule(r.name);
                            if (panel && "name" in panel && panel.name === r.name) setPanel(null);
                          })
                        }
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
