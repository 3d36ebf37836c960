import type { IncomingMessage } from "node:http";
import getRawBody from "raw-body";
import { HttpError } from "./http-error.js";

/** Reads the exact bytes of the body, refusing more than `limit` (413) before buffering them. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume(); // drain so the connection can answer
    throw new HttpError(413, `body larger than ${limit} bytes`, "too_large");
  }
  try {
    return await getRawBody(req, { limit });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large") throw new HttpError(413, `body larger than ${limit} bytes`, "too_large");
    if (type === "request.aborted") throw new HttpError(400, "request aborted", "aborted");
    throw new HttpError(400, "could not read body", "malformed");
  }
}

/** The media type without parameters, lower-cased. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}
