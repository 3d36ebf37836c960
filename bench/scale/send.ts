/**
 * bench/scale.ts's load generator: signed deliveries POSTed to /webhooks/<platform> of the web
 * processes, round-robin, a fixed number in flight per process over keep-alive connections. A 503
 * (enqueue timed out, overload) is sent again after a moment, as senders retry; a 200 "duplicate"
 * then means the first try was queued after all (late), so it counts as accepted. Anything else is
 * counted and not retried.
 */
import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Pending } from "../pipeline/deliveries.js";

export interface SendResult {
  /** First request to last acceptance. */
  seconds: number;
  /** Deliveries queued: 202, or 200 duplicate on a retry. */
  accepted: number;
  retried: number;
  /** Answers other than 202 and 503, by status ("0": no answer). */
  rejected: Record<string, number>;
}

function post(agent: Agent, port: number, d: Pending): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method: "POST",
        path: `/webhooks/${d.platform}`,
        headers: { ...d.headers, "content-length": Buffer.byteLength(d.body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(d.body);
  });
}

export async function sendAll(deliveries: Pending[], ports: number[], inFlightPerPort: number): Promise<SendResult> {
  const agents = ports.map(() => new Agent({ keepAlive: true, maxSockets: inFlightPerPort }));
  const rejected: Record<string, number> = {};
  let next = 0;
  let accepted = 0;
  let retried = 0;
  let last = 0;
  const t0 = performance.now();
  // Lane j sends to process j % ports.length: deliveries go round-robin across the processes.
  const lane = async (j: number) => {
    const p = j % ports.length;
    while (next < deliveries.length) {
      const d = deliveries[next++]!;
      for (let attempt = 0; ; attempt++) {
        const status = await post(agents[p]!, ports[p]!, d);
        if (status === 202 || (status === 200 && attempt > 0)) {
          accepted++;
          last = performance.now();
        } else if (status === 503 && attempt < 20) {
          retried++;
          await sleep(50);
          continue;
        } else rejected[status] = (rejected[status] ?? 0) + 1;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: ports.length * inFlightPerPort }, (_, j) => lane(j)));
  for (const agent of agents) agent.destroy();
  return { seconds: ((last || performance.now()) - t0) / 1000, accepted, retried, rejected };
}
