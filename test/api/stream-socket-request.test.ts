import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import {
  authMessage,
  clientIp,
  isStreamUpgrade,
  offeredToken,
  queryOf,
  socketQuery,
  urlCredential,
} from "../../src/api/stream-socket-request.js";
import { closeFor, wsItem } from "../../src/outbound/stream/ws.js";

/** What a WebSocket stream request says, read at the edge, and how its items are written. */

const req = (url: string, headers: Record<string, string | string[]> = {}, method = "GET") =>
  ({ url, method, headers, socket: { remoteAddress: "10.0.0.9" } }) as unknown as IncomingMessage;

describe("a WebSocket stream request", () => {
  it("is an upgrade to websocket at the exact path only", () => {
    expect(isStreamUpgrade(req("/api/stream?types=x", { upgrade: "WebSocket" }))).toBe(true);
    expect(isStreamUpgrade(req("/api/stream", { upgrade: "h2c" }))).toBe(false);
    expect(isStreamUpgrade(req("/API/stream", { upgrade: "websocket" }))).toBe(false);
    expect(isStreamUpgrade(req("/api/streams", { upgrade: "websocket" }))).toBe(false);
    expect(isStreamUpgrade(req("/api/stream", { upgrade: "websocket" }, "POST"))).toBe(false);
  });

  it("offers its token as a bearer subprotocol, else an Authorization header", () => {
    expect(offeredToken(req("/", { "sec-websocket-protocol": "switchyard.v1, bearer.abc123" }))).toBe("abc123");
    expect(offeredToken(req("/", { "sec-websocket-protocol": "switchyard.v1", authorization: "Bearer xyz" }))).toBe(
      "xyz",
    );
    expect(offeredToken(req("/", { "sec-websocket-protocol": "switchyard.v1" }))).toBeNull();
  });

  it("names a credential in the URL, whatever its case", () => {
    expect(urlCredential(queryOf(req("/api/stream?types=a&Access_Token=t")))).toBe("Access_Token");
    expect(urlCredential(queryOf(req("/api/stream?types=a")))).toBeUndefined();
  });

  it("reads the query as Koa does and resumes after a position or a message id", () => {
    expect(queryOf(req("/api/stream?types=a&types=b&after=12"))).toEqual({ types: ["a", "b"], after: "12" });
    expect(socketQuery.parse({ after: "12" }).after).toBe("12");
    const id = "0190F5C2-7A3B-7C4D-8E5F-0123456789AB";
    expect(socketQuery.parse({ after: id }).after).toBe(id.toLowerCase());
    expect(socketQuery.safeParse({ after: "-1" }).success).toBe(false);
    expect(socketQuery.safeParse({ after: "1".repeat(20) }).success).toBe(false);
    expect(authMessage.safeParse({ type: "auth", token: "t", after: "3" }).success).toBe(true);
    expect(authMessage.safeParse({ type: "resume", token: "t" }).success).toBe(false);
  });

  it("counts failures by the address the nearest proxy saw, as the API does", () => {
    expect(clientIp(req("/", { "x-forwarded-for": "1.1.1.1, 2.2.2.2" }))).toBe("2.2.2.2");
    expect(clientIp(req("/"))).toBe("10.0.0.9");
  });
});

describe("WebSocket frames", () => {
  it("writes an item as its data with the envelope, its id, type and position", () => {
    const item = {
      position: "7",
      id: "m1",
      kind: "milestone" as const,
      type: "deploy.changes",
      platform: null,
      repository: "acme/web",
      environment: "production",
      subject: "deploy:generic:d1",
      data: { deploy: { key: "deploy:generic:d1" }, rangeKnown: true },
      createdAt: "2026-12-07T10:00:00.000Z",
    };
    expect(JSON.parse(wsItem(item))).toEqual({
      deploy: { key: "deploy:generic:d1" },
      rangeKnown: true,
      version: "1",
      correlationId: "deploy:generic:d1",
      causationId: "m1",
      id: "m1",
      type: "deploy.changes",
      position: "7",
    });
  });

  it("closes a slow client with 4008 and a shutdown with 1001", () => {
    expect(closeFor("slow client").code).toBe(4008);
    expect(closeFor("shutdown")).toEqual({ code: 1001, reason: "shutdown" });
  });
});
