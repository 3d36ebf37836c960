import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { ApiError } from "../api";
import { fmtTime } from "../format";
import { readStream, type StreamFilter, type StreamMessage } from "../stream";
import { KeyLink } from "./KeyLink";

type State = "off" | "connecting" | "live" | "ended" | "unavailable";

const LABEL: Record<State, string> = {
  off: "",
  connecting: "connecting…",
  live: "live",
  ended: "reconnecting…",
  unavailable: "live tail unavailable",
};

const KEEP = 100;
const RECONNECT_MS = 3000;

/**
 * The newest events and milestones as they happen (contract §10), with the page's filters. After a
 * dropped connection it reconnects with Last-Event-ID, so nothing in between is missed.
 */
export function LiveTail({ filter }: { filter: StreamFilter }) {
  const [on, setOn] = useState(false);
  const [state, setState] = useState<State>("off");
  const [reason, setReason] = useState("");
  const [messages, setMessages] = useState<StreamMessage[]>([]);
  const lastId = useRef<string | undefined>(undefined);
  const filterKey = JSON.stringify(filter);

  useEffect(() => {
    if (!on) return setState("off");
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    lastId.current = undefined;
    setMessages([]);
    const connect = () => {
      setState("connecting");
      readStream({
        filter,
        signal: abort.signal,
        lastEventId: lastId.current,
        onOpen: () => setState("live"),
        onMessage: (m) => {
          if (m.id) lastId.current = m.id;
          setMessages((list) => [m, ...list].slice(0, KEEP));
        },
      }).then(
        () => {
          if (abort.signal.aborted) return;
          setState("ended");
          timer = setTimeout(connect, RECONNECT_MS);
        },
        (err: Error) => {
          if (abort.signal.aborted) return;
          // A refusal (no such route, 401, a bad filter) is said plainly; a dropped connection or a
          // 503 (the service restarting, its database away) is retried.
          if (err instanceof ApiError && err.status !== 503) {
            setState("unavailable");
            setReason(err.status === 404 ? "this server has no /api/stream" : `${err.status} ${err.message}`);
          } else {
            setState("ended");
            timer = setTimeout(connect, RECONNECT_MS);
          }
        },
      );
    };
    connect();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
    // filterKey stands for `filter`, whose identity changes on every render.
  }, [on, filterKey]);

  return (
    <section className="card tail">
      <h2>
        Live tail{" "}
        <span className={`live-state ${state}`} data-state={state}>
          {LABEL[state]}
        </span>
        <button className="secondary small" onClick={() => setOn(!on)}>
          {on ? "Stop" : "Start"}
        </button>
      </h2>
      {state === "unavailable" && <p className="muted">Live tail unavailable: {reason}.</p>}
      {on && state !== "unavailable" && messages.length === 0 && (
        <p className="muted">Waiting for events matching the filters…</p>
      )}
      {messages.length > 0 && (
        <ul className="tail-list">
          {messages.map((m, i) => (
            <TailItem key={`${m.id}-${i}`} m={m} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TailItem({ m }: { m: StreamMessage }) {
  const d = (m.data && typeof m.data === "object" ? m.data : {}) as Record<string, unknown>;
  const subject = typeof d.subject === "string" ? d.subject : null;
  const isEvent = typeof d.platform === "string" && typeof d.id === "string";
  return (
    <li>
      <span className="muted nowrap">{fmtTime((d.occurredAt as string) ?? new Date().toISOString())}</span>{" "}
      {isEvent ? <Link to={`/events/${d.id as string}`}>{m.event}</Link> : <strong>{m.event}</strong>}{" "}
      {subject && <KeyLink k={subject} />}
    </li>
  );
}
