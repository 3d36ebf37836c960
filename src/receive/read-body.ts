import type { IncomingMessage } from "node:http";
import getRawBody from "raw-body";
import { Refused } from "../shared/errors.js";

/** Reads the exact bytes of the body, refusing more than `limit` (413) before buffering them. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain so the connection can answer
    throw new Refused("too_large", `body larger than ${limit} bytes`);
  }
  try {
    return await getRawBody(req, { limit });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") throw new Refused("too_large", `body larger than ${limit} bytes`);
    if (type === "request.aborted") throw new Refused("aborted", "request aborted");
    throw new Refused("malformed", "could not read body");
  }
}

/** The media type without parameters, lower-cased. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}
