import { describe, expect, it } from "vitest";
import { createStreamSlots, type StreamSlot } from "../../../src/outbound/stream/slots.js";

describe("stream slots", () => {
  it("caps the streams of one token, the others still getting in", () => {
    const slots = createStreamSlots({ total: 10, perToken: 2 });
    expect(slots.take("a").ok).toBe(true);
    expect(slots.take("a").ok).toBe(true);
    const refused = slots.take("a");
    expect(refused).toMatchObject({ ok: false, limit: "STREAM_MAX_CLIENTS_PER_TOKEN", max: 2 });
    expect(!refused.ok && refused.error).toMatch(/at most 2 \(STREAM_MAX_CLIENTS_PER_TOKEN\)/);
    expect(slots.take("b").ok).toBe(true);
    expect(slots.held()).toBe(3);
    expect(slots.held("a")).toBe(2);
  });

  it("caps the streams of the process", () => {
    const slots = createStreamSlots({ total: 3, perToken: 2 });
    expect([slots.take("a"), slots.take("a"), slots.take("b")].every((s) => s.ok)).toBe(true);
    const refused = slots.take("c");
    expect(refused).toMatchObject({ ok: false, limit: "STREAM_MAX_CLIENTS", max: 3 });
    expect(!refused.ok && refused.error).toMatch(/at most 3 \(STREAM_MAX_CLIENTS\)/);
  });

  it("gives a slot back once, however often it is released", () => {
    const slots = createStreamSlots({ total: 2, perToken: 2 });
    const a = slots.take("a") as StreamSlot;
    slots.take("a");
    a.release();
    a.release();
    expect(slots.held()).toBe(1);
    expect(slots.held("a")).toBe(1);
    expect(slots.take("a").ok).toBe(true);
    expect(slots.take("a").ok).toBe(false);
  });

  it("leaks nothing: open N, release them, open N again; no entry is kept for a token gone", () => {
    const slots = createStreamSlots({ total: 5, perToken: 5 });
    for (let round = 0; round < 3; round++) {
      const held = Array.from({ length: 5 }, (_, i) => slots.take(`t${round}-${i % 2}`));
      expect(held.every((s) => s.ok)).toBe(true);
      expect(slots.take("other").ok).toBe(false);
      held.forEach((s) => s.ok && s.release());
      expect(slots.held()).toBe(0);
      expect(slots.held(`t${round}-0`)).toBe(0);
    }
  });
});
