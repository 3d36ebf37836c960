import { describe, expect, it } from "vitest";
import { outboxFrame, sseComment, sseMessage, sseRetry } from "../../../src/outbound/stream/sse.js";
import { sseParser, type SseEvent } from "../../helpers/sse.js";

const parse = (text: string) => {
  const messages: SseEvent[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  sseParser({ message: (m) => messages.push(m), comment: (c) => comments.push(c), retry: (ms) => (retry = ms) }).push(
    text,
  );
  return { messages, comments, retry };
};

describe("SSE frames", () => {
  it("writes id, event and data, then the blank line that dispatches", () => {
    expect(sseMessage({ id: "a", event: "deploy.succeeded", data: '{"x":1}' })).toBe(
      'id: a\nevent: deploy.succeeded\ndata: {"x":1}\n\n',
    );
  });

  it("gives each line of data its own data: line, whatever the line break", () => {
    const frame = sseMessage({ data: "one\ntwo\r\nthree\rfour" });
    expect(frame).toBe("data: one\ndata: two\ndata: three\ndata: four\n\n");
    expect(parse(frame).messages).toEqual([{ data: "one\ntwo\nthree\nfour" }]);
  });

  it("keeps id and event on one line, and NUL out of the id", () => {
    const frame = sseMessage({ id: "a\nb\u0000c", event: "x\r\ndata: injected", data: "d" });
    expect(frame.split("\n").filter((l) => l.startsWith("data:"))).toEqual(["data: d"]);
    expect(parse(frame).messages).toEqual([{ id: "abc", event: "xdata: injected", data: "d" }]);
  });

  it("writes comments and the reconnection delay that clients do not take for messages", () => {
    expect(sseComment("keep-alive")).toBe(": keep-alive\n\n");
    expect(sseRetry(2000)).toBe("retry: 2000\n\n");
    const parsed = parse(sseRetry(2000) + sseComment("two\nlines") + sseComment("keep-alive"));
    expect(parsed).toEqual({ messages: [], comments: ["two", "lines", "keep-alive"], retry: 2000 });
  });

  it("sends an outbox message as its id, its type and its data as one line of JSON", () => {
    const data = { id: "e1", text: "multi\nline", quote: '"' };
    const id = "0190f5c2-7a3b-7c4d-8e5f-0123456789ab";
    const frame = outboxFrame({ id, type: "slack.message", data, kind: "event", subject: "slack:message:C1/1.2" });
    expect(frame.split("\n")).toHaveLength(5);
    const [m] = parse(frame).messages;
    expect(m).toMatchObject({ id: "0190f5c2-7a3b-7c4d-8e5f-0123456789ab", event: "slack.message" });
    // The data's fields, with the envelope's added.
    expect(JSON.parse(m!.data)).toEqual({
      ...data,
      version: "1",
      correlationId: "slack:message:C1/1.2",
      causationId: id,
    });
  });

  it("reads a stream split anywhere, CRLF across chunks included", () => {
    const text = "id: 1\r\nevent: a\r\ndata: x\r\n\r\n: c\r\nid: 2\ndata: y\n\n";
    for (let cut = 0; cut <= text.length; cut++) {
      const messages: SseEvent[] = [];
      const p = sseParser({ message: (m) => messages.push(m) });
      p.push(text.slice(0, cut));
      p.push(text.slice(cut));
      expect(messages, `cut at ${cut}`).toEqual([
        { id: "1", event: "a", data: "x" },
        { id: "2", event: undefined, data: "y" },
      ]);
    }
  });
});
