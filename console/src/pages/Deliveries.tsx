import { useState } from "react";
import { useSearchParams } from "react-router";
import { api, PLATFORMS } from "../api";
import { Badge } from "../components/Badge";
import { Pager } from "../components/Pager";
import { ScopeNote } from "../components/ScopeNote";
import { Empty, ErrorNote, Loading } from "../components/Status";
import { fmtTime } from "../format";
import { useCan } from "../token";
import { useApi } from "../useApi";

const STATUSES = ["unprocessable", "pending", "stored", ""];

/**
 * Stored raw deliveries (contract §8), unprocessable ones first: what failed for good, why, and a
 * button to run one again once the code handles it.
 */
export default function Deliveries() {
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "unprocessable";
  const platform = params.get("platform") ?? "";
  const cursor = params.get("cursor") ?? "";
  const list = useApi((s) => api.deliveries({ status, platform, cursor, limit: 50 }, s), [status, platform, cursor]);
  const [outcome, setOutcome] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error | undefined>();
  const can = useCan();

  /** A new filter starts from the newest page. */
  const choose = (k: "status" | "platform", v: string) => {
    const next = new URLSearchParams(params);
    next.delete("cursor");
    next.set(k, v);
    setParams(next);
  };
  /** Another page of the same filters; no cursor is the newest. */
  const turn = (c: string) => {
    const next = new URLSearchParams(params);
    if (c) next.set("cursor", c);
    else next.delete("cursor");
    setParams(next);
  };

  async function reprocess(id: string) {
    setError(undefined);
    try {
      const r = await api.reprocess(id);
      setOutcome((o) => ({ ...o, [id]: r.status === "stored" ? "stored now" : `still unprocessable: ${r.error}` }));
    } catch (err) {
      setError(err as Error);
    }
  }

  return (
    <>
      <h1>Deliveries</h1>
      <ScopeNote scope="write" what="reprocess deliveries" />
      <div className="filters card">
        <label>
          status
          <select value={status} onChange={(e) => choose("status", e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || "any"}
              </option>
            ))}
          </select>
        </label>
        <label>
          platform
          <select value={platform} onChange={(e) => choose("platform", e.target.value)}>
            <option value="">any</option>
            {PLATFORMS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
      </div>
      <section className="card">
        <ErrorNote error={error ?? list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.items.length === 0 && <Empty>No {status || ""} delivery.</Empty>}
        {list.data && list.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>received (UTC)</th>
                <th>platform</th>
                <th>delivery id</th>
                <th>status</th>
                <th>reason</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id}>
                  <td className="nowrap">{fmtTime(d.receivedAt)}</td>
                  <td>{d.platform}</td>
                  <td className="mono small">{d.deliveryId}</td>
                  <td>
                    <Badge value={d.status} />
                  </td>
                  <td className="wrap">{outcome[d.id] ?? d.error}</td>
                  <td>
                    {can.write && d.status === "unprocessable" && (
                      <button className="link" onClick={() => reprocess(d.id)}>
                        Reprocess
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager cursor={cursor} next={list.data?.next} loading={list.loading} onNewest={() => turn("")} onOlder={turn} />
      </section>
    </>
  );
}
