import type { IncomingMessage } from "node:http";
import { Refused } from "../shared/errors.js";
import type { Holding } from "./limits.js";

const tooLarge = (limit: number) => new Refused("too_large", `body larger than ${limit} bytes`);
const busy = () => new Refused("busy", "too many bodies being received, retry later");

/**
 * Reads the exact bytes of the body into one buffer. A declared Content-Length over `limit` is
 * refused before reading; a body growing past it is refused as soon as it does, and reading stops
 * there (the caller answers with `Connection: close` rather than draining the rest). Every byte is
 * counted in `holding` (declared lengths up front, chunked bodies as they arrive): 503 `busy` when
 * the in-flight budget is spent.
 */
export function readBody(req: IncomingMessage, limit: number, holding: Holding): Promise<Buffer> {
  // Node has already refused a Content-Length that is not a number, or two that differ.
  const header = req.headers["content-length"];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge(limit));
  if (declared !== undefined && !holding.add(declared)) return Promise.reject(busy());
  if (declared === 0 || req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise((resolve, reject) => {
    // Joined once at the end, and not even copied when it came in one chunk (most bodies).
    const chunks: Buffer[] = [];
    let size = 0;

    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      if (declared === undefined && !holding.add(chunk.length)) return fail(busy());
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAbort = () => fail(new Refused("aborted", "request aborted"));
    function fail(err: Refused) {
      cleanup();
      req.pause(); // stop reading: the answer closes the connection
      chunks.length = 0;
      reject(err);
    }
    function cleanup() {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      // A late socket error after we stopped listening must not become an uncaught exception.
      req.on("error", () => undefined);
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
  });
}

/** The media type without parameters, lower-cased. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}
