import { useState } from "react";
import { useSearchParams } from "react-router";
import { api, ApiError, type OutboundDelivery, type Subscription } from "../api";
import { Badge } from "../components/Badge";
import { Pager } from "../components/Pager";
import { ScopeNote } from "../components/ScopeNote";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { SubscriptionForm } from "../components/SubscriptionForm";
import { ago, fmtTime } from "../format";
import { useCan } from "../token";
import { useApi } from "../useApi";

const STATUSES = ["", "pending", "succeeded", "failed", "dead"];
const PAGE = 50;

/**
 * Subscriptions (contract §9): where Switchyard sends events and milestones, enable, disable or delete
 * each one, and how each message fared. The chosen subscription, the deliveries' status filter and
 * their page's cursor live in the URL, as on the events page.
 */
export default function Subscriptions() {
  const [params, setParams] = useSearchParams();
  const subs = useApi((s) => api.subscriptions(s), []);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState<string | null>(null);
  const can = useCan();
  const chosen = params.get("name") ?? subs.data?.[0]?.name ?? "";
  const chosenSub = subs.data?.find((s) => s.name === chosen);

  const act = async (name: string, what: () => Promise<unknown>) => {
    setError(undefined);
    setBusy(name);
    try {
      await what();
      subs.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(null);
    }
  };
  // Enabling also clears why the service disabled it (a 410, failing for too long): it starts afresh.
  const setEnabled = (s: Subscription, enabled: boolean) =>
    act(s.name, () => api.updateSubscription(s.name, { enabled }));
  const remove = (s: Subscription) =>
    window.confirm(`Delete subscription ${s.name} and all its deliveries?`) &&
    act(s.name, async () => {
      await api.deleteSubscription(s.name);
      if (params.get("name") === s.name) setParams({});
    });

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
        {can.write && (
          <button className="secondary" onClick={() => setCreating(!creating)}>
            {creating ? "Close" : "New subscription"}
          </button>
        )}
      </h1>
      <ScopeNote scope="write" what="create, change, test or delete subscriptions, or retry their messages" />
      {can.write && creating && (
        <SubscriptionForm
          onCreated={(s) => {
            subs.reload();
            setParams({ name: s.name });
          }}
        />
      )}
      <ErrorNote error={error ?? subs.error} />
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
                <th />
              </tr>
            </thead>
            <tbody>
              {subs.data.map((s) => (
                <tr
                  key={s.name}
                  data-subscription={s.name}
                  data-enabled={s.enabled}
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
                  <td className="state">
                    <Badge value={s.enabled ? "enabled" : "disabled"} />
                    {s.disabledReason && (
                      <div className="muted small disabled-reason">disabled by the service: {s.disabledReason}</div>
                    )}
                    {s.failingSince && <div className="muted small">failing since {fmtTime(s.failingSince)}</div>}
                    {s.breaker.openUntil ? (
                      <div className="muted small breaker">
                        {Date.parse(s.breaker.openUntil) > Date.now()
                          ? "breaker open until"
                          : "breaker half-open since"}{" "}
                        {fmtTime(s.breaker.openUntil)} ({s.breaker.failures} failures in a row)
                      </div>
                    ) : (
                      s.breaker.failures > 0 && (
                        <div className="muted small breaker">{s.breaker.failures} consecutive failures</div>
                      )
                    )}
                  </td>
                  {/* Acting on a row does not also choose it. */}
                  <td className="actions nowrap" onClick={(e) => e.stopPropagation()}>
                    {can.write && (
                      <>
                        <button className="link" disabled={busy === s.name} onClick={() => setEnabled(s, !s.enabled)}>
                          {s.enabled ? "Disable" : "Enable"}
                        </button>
                        <button className="link danger" disabled={busy === s.name} onClick={() => remove(s)}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {chosen && <Deliveries key={chosen} name={chosen} enabled={chosenSub?.enabled} />}
    </>
  );
}

const target = (s: Subscription) =>
  s.kind === "webhook" ? s.url : s.kind === "slack" ? s.channel : `Linear${s.moveTo ? ` (move to ${s.moveTo})` : ""}`;

/** A subscription's messages, newest first, 50 a page (keyset: the API's `next` cursor). */
function Deliveries({ name, enabled }: { name: string; enabled: boolean | undefined }) {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const cursor = params.get("cursor") ?? "";
  const list = useApi(
    (s) => api.subscriptionDeliveries(name, { status, cursor, limit: PAGE }, s),
    [name, status, cursor],
  );
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const disabled = enabled === false;
  const can = useCan();
  const disabledTitle = disabled ? "The subscription is disabled: enable it first" : undefined;

  /** The same subscription with other filters: a new status starts from the newest page. */
  const go = (changes: { status?: string; cursor?: string }) => {
    const next = new URLSearchParams(params);
    next.set("name", name);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };

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

  const items = list.data?.items;
  return (
    <section className="card">
      <h2>
        Deliveries of {name}
        <span className="tabs">
          {STATUSES.map((s) => (
            <button
              key={s}
              className={s === status ? "tab active" : "tab"}
              onClick={() => go({ status: s, cursor: "" })}
            >
              {s || "all"}
            </button>
          ))}
        </span>
        {can.write && (
          <button
            className="secondary small"
            disabled={disabled}
            title={disabledTitle}
            onClick={() => act(() => api.testSubscription(name), "Test message queued.")}
          >
            Send test
          </button>
        )}
        <button className="link small" onClick={list.reload}>
          Refresh
        </button>
      </h2>
      {disabled && (
        <p className="notice">Disabled: nothing is sent, and waiting messages wait until it is enabled again.</p>
      )}
      {note && <p className="ok">{note}</p>}
      <ErrorNote error={error ?? list.error} />
      {list.loading && !list.data && <Loading />}
      {items?.length === 0 && (
        <Empty>
          No {status || "message"} deliveries{cursor ? " older than these" : ""}.
        </Empty>
      )}
      {items && items.length > 0 && (
        <table className="deliveries">
          <thead>
            <tr>
              <th>created (UTC)</th>
              <th>type</th>
              <th>status</th>
              <th>attempts</th>
              <th>last answer</th>
              <th>next attempt (UTC)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-id={d.id} data-status={d.status}>
                <td className="nowrap">{fmtTime(d.createdAt)}</td>
                <td>{d.type}</td>
                <td>
                  <Badge value={d.status} />
                </td>
                <td className="num">{d.attempts}</td>
                <td className="wrap">
                  {d.lastStatusCode ?? ""} {d.lastError && <span className="muted">{d.lastError}</span>}
                </td>
                <td className="nowrap next-attempt">
                  <NextAttempt d={d} paused={disabled} />
                </td>
                <td>
                  {can.write && (d.status === "dead" || d.status === "failed") && (
                    <button
                      className="link"
                      disabled={disabled}
                      title={disabledTitle}
                      onClick={() => act(() => api.retryDelivery(name, d.id), "Retry queued.")}
                    >
                      Retry
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        cursor={cursor}
        next={list.data?.next}
        loading={list.loading}
        onNewest={() => go({ cursor: "" })}
        onOlder={(next) => go({ cursor: next })}
      />
    </section>
  );
}

/** When a pending or failed message is tried next (the API gives the time for both), and how soon. */
function NextAttempt({ d, paused }: { d: OutboundDelivery; paused: boolean }) {
  if ((d.status !== "pending" && d.status !== "failed") || !d.nextAttemptAt) return null;
  return (
    <>
      {fmtTime(d.nextAttemptAt)} <span className="muted small">({paused ? "paused" : ago(d.nextAttemptAt)})</span>
    </>
  );
}
