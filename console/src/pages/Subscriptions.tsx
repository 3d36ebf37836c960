import { useState } from "react";
import { useSearchParams } from "react-router";
import { api, ApiError, type Subscription } from "../api";
import { Badge } from "../components/Badge";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { SubscriptionForm } from "../components/SubscriptionForm";
import { ago, fmtTime } from "../format";
import { useApi } from "../useApi";

const STATUSES = ["", "pending", "succeeded", "failed", "dead"];

/** Subscriptions (SPEC §9): where Switchyard sends events and milestones, and how each message fared. */
export default function Subscriptions() {
  const [params, setParams] = useSearchParams();
  const subs = useApi((s) => api.subscriptions(s), []);
  const [creating, setCreating] = useState(false);
  const chosen = params.get("name") ?? subs.data?.[0]?.name ?? "";

  if (subs.error instanceof ApiError && subs.error.status === 404) {
    return (
      <>
        <h1>Subscriptions</h1>
        <Empty>This server has no subscriptions API (GET /api/subscriptions answered 404).</Empty>
      </>
    );
  }
  return (
    <>
      <h1>
        Subscriptions{" "}
        <button className="secondary" onClick={() => setCreating(!creating)}>
          {creating ? "Close" : "New subscription"}
        </button>
      </h1>
      {creating && (
        <SubscriptionForm
          onCreated={(s) => {
            subs.reload();
            setParams({ name: s.name });
          }}
        />
      )}
      <ErrorNote error={subs.error} />
      {subs.loading && !subs.data && <Loading />}
      {subs.data?.length === 0 && <Empty>No subscription yet.</Empty>}
      {subs.data && subs.data.length > 0 && (
        <section className="card">
          <table className="subscriptions">
            <thead>
              <tr>
                <th>name</th>
                <th>kind</th>
                <th>to</th>
                <th>types</th>
                <th>where</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {subs.data.map((s) => (
                <tr
                  key={s.name}
                  className={s.name === chosen ? "selected clickable" : "clickable"}
                  onClick={() => setParams({ name: s.name })}
                >
                  <td>
                    <strong>{s.name}</strong>
                  </td>
                  <td>{s.kind}</td>
                  <td className="wrap">{target(s)}</td>
                  <td>
                    {s.types.map((t) => (
                      <code key={t}>{t} </code>
                    ))}
                  </td>
                  <td>
                    {Object.entries(s.where ?? {}).map(([k, v]) => (
                      <span key={k} className="pair">
                        {k}: <code>{v}</code>
                      </span>
                    ))}
                  </td>
                  <td>
                    <Badge value={s.enabled ? "enabled" : "disabled"} title={s.disabledReason ?? undefined} />
                    {s.failingSince && <span className="muted small"> failing since {fmtTime(s.failingSince)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {chosen && <Deliveries key={chosen} name={chosen} />}
    </>
  );
}

const target = (s: Subscription) =>
  s.kind === "webhook" ? s.url : s.kind === "slack" ? s.channel : `Linear${s.moveTo ? ` (move to ${s.moveTo})` : ""}`;

function Deliveries({ name }: { name: string }) {
  const [status, setStatus] = useState("");
  const list = useApi((s) => api.subscriptionDeliveries(name, status, s), [name, status]);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>();

  const act = async (what: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setNote(null);
    try {
      await what();
      setNote(done);
      list.reload();
      // The worker sends within moments: look again so the outcome shows without a click.
      setTimeout(list.reload, 1500);
    } catch (err) {
      setError(err as Error);
    }
  };

  return (
    <section className="card">
      <h2>
        Deliveries of {name}
        <span className="tabs">
          {STATUSES.map((s) => (
            <button key={s} className={s === status ? "tab active" : "tab"} onClick={() => setStatus(s)}>
              {s || "all"}
            </button>
          ))}
        </span>
        <button
          className="secondary small"
          onClick={() => act(() => api.testSubscription(name), "Test message queued.")}
        >
          Send test
        </button>
        <button className="link small" onClick={list.reload}>
          Refresh
        </button>
      </h2>
      {note && <p className="ok">{note}</p>}
      <ErrorNote error={error ?? list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data?.length === 0 && <Empty>No {status || "message"} deliveries.</Empty>}
      {list.data && list.data.length > 0 && (
        <table className="deliveries">
          <thead>
            <tr>
              <th>created</th>
              <th>type</th>
              <th>status</th>
              <th>attempts</th>
              <th>last answer</th>
              <th>next attempt</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <tr key={d.id} data-status={d.status}>
                <td className="nowrap">{fmtTime(d.createdAt)}</td>
                <td>{d.type}</td>
                <td>
                  <Badge value={d.status} />
                </td>
                <td className="num">{d.attempts}</td>
                <td className="wrap">
                  {d.lastStatusCode ?? ""} {d.lastError && <span className="muted">{d.lastError}</span>}
                </td>
                <td className="nowrap">
                  {d.status === "pending" || d.status === "failed" ? ago(d.nextAttemptAt) : ""}
                </td>
                <td>
                  {(d.status === "dead" || d.status === "failed") && (
                    <button className="link" onClick={() => act(() => api.retryDelivery(name, d.id), "Retry queued.")}>
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
