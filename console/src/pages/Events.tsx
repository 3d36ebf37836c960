import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, PLATFORMS } from "../api";
import { Badge, PRIORITY_TONE } from "../components/Badge";
import { KeyLink } from "../components/KeyLink";
import { LiveTail } from "../components/LiveTail";
import { Pager } from "../components/Pager";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { fmtTime, isoToLocalInput, localInputToIso } from "../format";
import { useApi } from "../useApi";

const FILTERS = ["platform", "type", "subject", "since", "until"] as const;
const PAGE = 50;

/**
 * GET /api/events with its filters (contract §6). Filters and the page's cursor live in the URL, so a
 * view can be shared and the browser's back button returns to the newer page.
 */
export default function Events() {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const cursor = params.get("cursor") ?? "";
  const page = useApi((s) => api.events({ ...filter, cursor, limit: PAGE }, s), [params.toString()]);

  const older = (cursor: string) => {
    const next = new URLSearchParams(params);
    next.set("cursor", cursor);
    setParams(next);
  };

  return (
    <>
      <h1>Events</h1>
      <FilterForm initial={filter} onApply={(f) => setParams(f)} />
      <div className="grid events-layout">
        <section className="card">
          <ErrorNote error={page.error} />
          {page.loading && !page.data && <Loading />}
          {page.data?.items.length === 0 && <Empty>No event matches these filters.</Empty>}
          {page.data && page.data.items.length > 0 && (
            <table className="events">
              <thead>
                <tr>
                  <th>occurred (UTC)</th>
                  <th>platform</th>
                  <th>type</th>
                  <th>subject</th>
                  <th>actor</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((e) => (
                  <tr key={e.id}>
                    <td className="nowrap">
                      <Link to={`/events/${e.id}`}>{fmtTime(e.occurredAt)}</Link>
                    </td>
                    <td>
                      <span className={`platform ${e.platform}`}>{e.platform}</span>
                    </td>
                    <td>
                      <Link to={`/events/${e.id}`}>{e.type}</Link>{" "}
                      {e.priority !== "normal" && <Badge value={e.priority} tone={PRIORITY_TONE[e.priority]} />}
                    </td>
                    <td>{e.subject && <KeyLink k={e.subject} />}</td>
                    <td>{e.actor}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            cursor={cursor}
            next={page.data?.next}
            loading={page.loading}
            onNewest={() => setParams(withoutCursor(params))}
            onOlder={older}
          />
        </section>
        <LiveTail filter={{ platform: filter.platform, types: filter.type, subject: filter.subject }} />
      </div>
    </>
  );
}

function withoutCursor(params: URLSearchParams) {
  const next = new URLSearchParams(params);
  next.delete("cursor");
  return next;
}

function FilterForm({
  initial,
  onApply,
}: {
  initial: Record<(typeof FILTERS)[number], string>;
  onApply: (f: Record<string, string>) => void;
}) {
  const [f, setF] = useState(initial);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  function submit(e: FormEvent) {
    e.preventDefault();
    onApply(Object.fromEntries(Object.entries(f).filter(([, v]) => v)));
  }

  return (
    <form className="filters card" onSubmit={submit}>
      <label>
        platform
        <select name="platform" value={f.platform} onChange={set("platform")}>
          <option value="">any</option>
          {PLATFORMS.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        type
        <input name="type" placeholder="github.pull_request.*" value={f.type} onChange={set("type")} />
      </label>
      <label className="wide">
        subject
        <input name="subject" placeholder="github:pr:acme/web#7" value={f.subject} onChange={set("subject")} />
      </label>
      <label>
        since (UTC)
        <input
          name="since"
          type="datetime-local"
          value={isoToLocalInput(f.since)}
          onChange={(e) => setF({ ...f, since: localInputToIso(e.target.value) })}
        />
      </label>
      <label>
        until (UTC)
        <input
          name="until"
          type="datetime-local"
          value={isoToLocalInput(f.until)}
          onChange={(e) => setF({ ...f, until: localInputToIso(e.target.value) })}
        />
      </label>
      <div className="actions">
        <button type="submit">Apply</button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setF({ platform: "", type: "", subject: "", since: "", until: "" });
            onApply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
