import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { afterAttempt } from "../../../src/outbound/schedule.js";
import { healthChange, summarize } from "../../../src/outbound/delivery/health.js";
import { parseSchedule } from "../../../src/shared/duration.js";
import { outcomeOf, signatureHeaders } from "../../../src/outbound/senders/webhook.js";

const secret = (fill: number) => `whsec_${Buffer.alloc(32, fill).toString("base64")}`;

describe("signature headers", () => {
  const at = new Date("2026-11-27T12:00:00.789Z");
  const body = '{"type":"deploy.succeeded","timestamp":"2026-11-27T12:00:00Z","data":{}}';

  it("signs id.timestamp.body once per secret, each verifying", () => {
    const h = signatureHeaders("msg-1", at, body, [secret(1), secret(2)]);
    expect(h["webhook-id"]).toBe("msg-1");
    expect(h["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    const signatures = h["webhook-signature"]!.split(" ");
    expect(signatures).toHaveLength(2);
    for (const s of signatures) expect(s).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const now = Date.now;
    Date.now = () => at.getTime(); // the verifier refuses timestamps older than 5 minutes
    try {
      for (const fill of [1, 2]) {
        const alone = { ...h, "webhook-signature": signatures[fill - 1]! };
        expect(new Webhook(secret(fill)).verify(body, alone)).toMatchObject({ type: "deploy.succeeded" });
      }
      expect(() => new Webhook(secret(3)).verify(body, h)).toThrow(/No matching signature/);
      expect(() => new Webhook(secret(1)).verify(`${body} `, h)).toThrow(/No matching signature/);
    } finally {
      Date.now = now;
    }
  });
});

describe("an answer's meaning", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  const answer = (status: number, retryAfter?: string) => ({ status, retryAfter, excerpt: "…" });

  it("2xx succeeds, 3xx fails, 410 disables", () => {
    expect(outcomeOf(answer(204), now)).toMatchObject({ ok: true, statusCode: 204 });
    expect(outcomeOf(answer(301), now)).toMatchObject({ ok: false, error: "HTTP 301: redirects are not followed" });
    expect(outcomeOf(answer(410), now)).toMatchObject({ ok: false, gone: true, statusCode: 410 });
    expect(outcomeOf(answer(500), now)).toEqual({ ok: false, statusCode: 500, response: "…", error: "HTTP 500" });
  });

  it("honours Retry-After on 429, 502, 503 and 504 only", () => {
    for (const status of [429, 502, 503, 504]) expect(outcomeOf(answer(status, "7"), now).retryAfterMs).toBe(7000);
    expect(outcomeOf(answer(500, "7"), now).retryAfterMs).toBeUndefined();
    expect(outcomeOf(answer(429, "whenever"), now).retryAfterMs).toBeUndefined();
  });
});

describe("after an attempt", () => {
  const schedule = parseSchedule("5s,5m");
  const middle = () => 0.5;

  it("retries on the schedule, then dead", () => {
    expect(afterAttempt({ ok: true, statusCode: 200 }, 1, schedule, middle)).toEqual({
      status: "succeeded",
      delayMs: null,
    });
    expect(afterAttempt({ ok: false, statusCode: 500 }, 1, schedule, middle)).toEqual({
      status: "failed",
      delayMs: 5000,
    });
    expect(afterAttempt({ ok: false, statusCode: 500 }, 2, schedule, middle)).toEqual({
      status: "failed",
      delayMs: 300_000,
    });
    expect(afterAttempt({ ok: false, statusCode: 500 }, 3, schedule, middle)).toEqual({
      status: "dead",
      delayMs: null,
    });
  });

  it("gives up at once on a permanent failure or 410", () => {
    expect(afterAttempt({ ok: false, statusCode: null, permanent: true }, 1, schedule, middle).status).toBe("dead");
    expect(afterAttempt({ ok: false, statusCode: 410, gone: true }, 1, schedule, middle).status).toBe("dead");
  });

  it("waits as long as Retry-After asks", () => {
    const outcome = { ok: false, statusCode: 429, retryAfterMs: 40_000 };
    expect(afterAttempt(outcome, 1, schedule, middle)).toEqual({ status: "failed", delayMs: 40_000 });
  });
});

describe("subscription health", () => {
  const t = (s: number) => new Date(Date.parse("2026-11-27T00:00:00Z") + s * 1000);
  const DAY = 86_400_000;
  const report = (attempts: Array<[ok: boolean, at: number, gone?: boolean]>) =>
    summarize(attempts.map(([ok, at, gone]) => ({ subscriptionId: "s", ok, at: t(at), gone: gone ?? false }))).get(
      "s",
    )!;

  it("changes nothing for a healthy subscription's successes", () => {
    expect(healthChange({ enabled: true, failingSince: null }, report([[true, 1]]), DAY)).toBeNull();
  });

  it("marks the first failure, keeps it, and a success clears it", () => {
    expect(
      healthChange(
        { enabled: true, failingSince: null },
        report([
          [false, 5],
          [false, 3],
        ]),
        DAY,
      ),
    ).toEqual({
      failingSince: t(3),
    });
    expect(healthChange({ enabled: true, failingSince: t(3) }, report([[false, 9]]), DAY)).toBeNull();
    expect(
      healthChange(
        { enabled: true, failingSince: t(3) },
        report([
          [false, 9],
          [true, 8],
        ]),
        DAY,
      ),
    ).toEqual({
      failingSince: null,
    });
  });

  it("disables after failing for the configured time, with the reason", () => {
    const change = healthChange({ enabled: true, failingSince: t(0) }, report([[false, 86_400]]), DAY);
    expect(change?.disabledReason).toMatch(
      /^every attempt failed from 2026-11-27T00:00:00.000Z to .* OUTBOUND_DISABLE_AFTER_S \(86400 s\)/,
    );
    expect(healthChange({ enabled: true, failingSince: t(0) }, report([[false, 86_399]]), DAY)).toBeNull();
    // Already disabled: no second reason.
    expect(healthChange({ enabled: false, failingSince: t(0) }, report([[false, 90_000]]), DAY)).toBeNull();
  });

  it("disables on 410 Gone", () => {
    const change = healthChange({ enabled: true, failingSince: null }, report([[false, 2, true]]), DAY);
    expect(change).toEqual({
      failingSince: t(2),
      disabledReason: `the endpoint answered 410 Gone at ${t(2).toISOString()}`,
    });
  });
});
