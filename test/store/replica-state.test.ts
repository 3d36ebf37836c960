import { describe, expect, it } from "vitest";
import { judge, replicaFailure, UNKNOWN } from "../../src/store/replica-state.js";

describe("judge (replica freshness)", () => {
  it("reads the replica while its lag is at most the bound", () => {
    expect(judge({ reachable: true, inRecovery: true, lagMs: 0 }, 300)).toEqual({
      fresh: true,
      reason: null,
      lagSeconds: 0,
    });
    expect(judge({ reachable: true, inRecovery: true, lagMs: 300 }, 300).fresh).toBe(true);
  });

  it("falls back to the primary past the bound, keeping the lag measured", () => {
    expect(judge({ reachable: true, inRecovery: true, lagMs: 301 }, 300)).toEqual({
      fresh: false,
      reason: "lagging",
      lagSeconds: 0.301,
    });
  });

  it("treats an unknown lag (nothing replayed while WAL waits) as lagging", () => {
    expect(judge({ reachable: true, inRecovery: true, lagMs: null }, 300)).toEqual({
      fresh: false,
      reason: "lagging",
      lagSeconds: null,
    });
  });

  it("does not read a server out of recovery (promoted, or a primary) nor one that does not answer", () => {
    expect(judge({ reachable: true, inRecovery: false, lagMs: 0 }, 300)).toEqual(UNKNOWN);
    expect(judge({ reachable: false }, 300)).toEqual(UNKNOWN);
    expect(UNKNOWN).toMatchObject({ fresh: false, reason: "unavailable" });
  });

  it("clamps a negative lag (clock skew between the servers) to 0", () => {
    expect(judge({ reachable: true, inRecovery: true, lagMs: -40 }, 300)).toMatchObject({ fresh: true, lagSeconds: 0 });
  });
});

/** An error as pg reports the server's: a SQLSTATE and a severity. */
const fromServer = (message: string, code: string) => Object.assign(new Error(message), { code, severity: "ERROR" });

describe("replicaFailure (which replica errors the primary retries)", () => {
  it("retries connection failures, shutdowns and recovery conflicts", () => {
    expect(replicaFailure(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(replicaFailure(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(replicaFailure(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBe(true);
    expect(replicaFailure(fromServer("terminating connection", "57P01"))).toBe(true);
    expect(replicaFailure(fromServer("connection failure", "08006"))).toBe(true);
    expect(replicaFailure(fromServer("conflict with recovery", "40001"))).toBe(true);
  });

  it("does not retry what the primary would refuse too", () => {
    expect(replicaFailure(fromServer("syntax error", "42601"))).toBe(false);
    expect(replicaFailure(fromServer("invalid input syntax for type uuid", "22P02"))).toBe(false);
  });
});
