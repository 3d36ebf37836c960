import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, type Bucket, type Scope } from "../api";
import { DoraDeploys } from "../components/DoraDeploys";
import { DoraPicker, scopeLink } from "../components/DoraPicker";
import { DoraTable } from "../components/DoraTable";
import { DoraTrends } from "../components/DoraTrends";
import { LeadTimeStages } from "../components/LeadTimeStages";
import { useApi } from "../useApi";

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a day, UTC. */
const day = (t: number) => new Date(t).toISOString().slice(0, 10);
/** A day from the URL, or null if it is not one (a hand-edited URL must not break the page). */
const dayParam = (s: string | null) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)) ? s : null);

/** The scope in the URL: `?group=` (first, as the API refuses both) or `?repository=`, or none yet. */
function scopeParam(params: URLSearchParams): Scope | null {
  const group = params.get("group");
  if (group) return { group };
  const repository = params.get("repository");
  return repository ? { repository } : null;
}

/**
 * `/dora` (contract §11): starts from every group and repository; for the one chosen, DORA's five
 * metrics (production environments together and each environment apart) rated in the API's DORA
 * levels, their trends per day, week or month, the stages of lead time, and the deploys counted with
 * their failures, reworks and incidents. Everything chosen is in the URL, so a view can be shared.
 */
export default function Dora() {
  const [params, setParams] = useSearchParams();
  const today = day(Date.now());
  const scope = scopeParam(params);
  const environment = params.get("environment") ?? "";
  const until = dayParam(params.get("until")) ?? today;
  const since = dayParam(params.get("since")) ?? day(Date.parse(until) - 29 * DAY_MS);
  const bucket = (params.get("bucket") as Bucket | null) ?? "day";
  const period = { since: `${since}T00:00:00Z`, until: new Date(Date.parse(until) + DAY_MS).toISOString() };
  const groups = useApi(() => api.groups(), []);
  const repositories = useApi(() => api.repositories(), []);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const scopeKey = scope?.group ? `group:${scope.group}` : (scope?.repository ?? "");

  return (
    <>
      <h1>DORA</h1>
      <Controls
        key={`${scopeKey}|${since}|${until}`}
        groups={(groups.data ?? []).map((g) => g.name)}
        repositories={(repositories.data ?? []).map((r) => r.repository)}
        values={{ scope: scopeKey, since, until }}
        onApply={update}
      />
      {!scope ? (
        <DoraPicker groups={groups} repositories={repositories} link={(p) => scopeLink(params, p)} />
      ) : (
        <>
          <DoraTable
            scope={scope}
            known={repositories.data}
            period={period}
            bucket={bucket}
            chosen={environment}
            onChoose={(env) => update({ environment: env })}
            link={(p) => scopeLink(params, p)}
          />
          <DoraTrends
            scope={scope}
            environment={environment}
            period={period}
            bucket={bucket}
            onBucket={(b) => update({ bucket: b })}
          />
          <LeadTimeStages scope={scope} environment={environment} period={period} />
          <DoraDeploys scope={scope} environment={environment} period={period} bucket={bucket} />
        </>
      )}
    </>
  );
}

/** `group:<name>` or a repository, as the scope select's value says it. */
const pickedOf = (value: string) =>
  value.startsWith("group:")
    ? { group: value.slice("group:".length), repository: "" }
    : { repository: value.trim().toLowerCase(), group: "" };

function Controls({
  groups,
  repositories,
  values,
  onApply,
}: {
  groups: string[];
  repositories: string[];
  values: { scope: string; since: string; until: string };
  onApply: (v: Record<string, string>) => void;
}) {
  const [v, setV] = useState(values);
  // A scope from a shared URL that is not (or not yet) in the lists stays selectable.
  const listed = [...groups.map((g) => `group:${g}`), ...repositories];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const scopeChanged = v.scope !== values.scope;
    onApply({
      since: v.since,
      until: v.until,
      ...(v.scope ? pickedOf(v.scope) : { group: "", repository: "" }),
      ...(scopeChanged ? { environment: "" } : {}),
    });
  };
  return (
    <form className="filters card" onSubmit={submit}>
      <label className="wide">
        group or repository
        <select name="scope" value={v.scope} onChange={(e) => setV({ ...v, scope: e.target.value })}>
          <option value="">all groups and repositories</option>
          {values.scope && !listed.includes(values.scope) && <option value={values.scope}>{values.scope}</option>}
          <optgroup label="groups">
            {groups.map((g) => (
              <option key={g} value={`group:${g}`}>
                {g}
              </option>
            ))}
          </optgroup>
          <optgroup label="repositories">
            {repositories.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <label>
        from (UTC)
        <input name="since" type="date" value={v.since} onChange={(e) => setV({ ...v, since: e.target.value })} />
      </label>
      <label>
        to (UTC, inclusive)
        <input name="until" type="date" value={v.until} onChange={(e) => setV({ ...v, until: e.target.value })} />
      </label>
      <div className="actions">
        <button type="submit">Show</button>
      </div>
    </form>
  );
}
