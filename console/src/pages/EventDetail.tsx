import { Link, useParams } from "react-router";
import { api } from "../api";
import { Badge, PRIORITY_TONE } from "../components/Badge";
import { KeyLink } from "../components/KeyLink";
import { ErrorNote, Loading } from "../components/Status";
import { fmtTime } from "../format";
import { useApi } from "../useApi";

/** Shown at most: a 25 MB GitHub payload would freeze the tab; the API gives it all. */
const SHOWN = 200_000;

function clip(text: string, id: string): string {
  if (text.length <= SHOWN) return text;
  return `${text.slice(0, SHOWN)}\n… ${text.length - SHOWN} more characters: GET /api/events/${id} has them all`;
}

const json = (v: unknown) => JSON.stringify(v, null, 2);

/** One event (GET /api/events/:id): the unified event, its platform rows and the verbatim delivery. */
export default function EventDetail() {
  const { id = "" } = useParams();
  const found = useApi((s) => api.event(id, s), [id]);
  if (found.error) return <ErrorNote error={found.error} what="Event not found" />;
  if (!found.data) return <Loading />;
  const { event, rows, raw } = found.data;
  return (
    <>
      <h1>
        {event.type} <Badge value={event.priority} tone={PRIORITY_TONE[event.priority]} />
      </h1>
      <section className="card">
        <dl className="fields">
          <dt>id</dt>
          <dd className="mono">{event.id}</dd>
          <dt>occurred</dt>
          <dd>{fmtTime(event.occurredAt)} UTC</dd>
          <dt>received</dt>
          <dd>{fmtTime(event.receivedAt)} UTC</dd>
          <dt>platform</dt>
          <dd>{event.platform}</dd>
          <dt>delivery id</dt>
          <dd className="mono">{event.deliveryId}</dd>
          <dt>actor</dt>
          <dd>{event.actor ?? "—"}</dd>
          <dt>subject</dt>
          <dd>{event.subject ? <KeyLink k={event.subject} label={event.subject} /> : "—"}</dd>
          <dt>keys</dt>
          <dd>
            <ul className="inline">
              {(event.keys ?? []).map((k) => (
                <li key={k}>
                  <KeyLink k={k} label={k} />
                </li>
              ))}
            </ul>
          </dd>
        </dl>
        <p>
          <Link to={`/rules?event=${event.id}`}>Dry-run a rule on this event →</Link>
        </p>
      </section>
      <section className="card">
        <h2>Payload</h2>
        <pre className="json">{clip(json(event.payload), event.id)}</pre>
      </section>
      {Object.entries(rows).map(([name, row]) => (
        <details key={name} className="card">
          <summary>
            <h2>{name} row</h2>
          </summary>
          <pre className="json">{json(row)}</pre>
        </details>
      ))}
      {raw && (
        <details className="card">
          <summary>
            <h2>Raw delivery</h2>
          </summary>
          <p className="muted">
            {raw.contentType} · received {fmtTime(raw.receivedAt)} UTC · headers kept by the allow-list, never
            signatures
          </p>
          <pre className="json">{json(raw.headers)}</pre>
          <pre className="json">{clip(raw.body, event.id)}</pre>
        </details>
      )}
    </>
  );
}
