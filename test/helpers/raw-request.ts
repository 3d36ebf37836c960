import type { RawRequest } from "../../src/platforms/platform.js";
import type { SignedRequest } from "../../kit/sign.js";

/** A signed request as a receiver sees it once the receive path has read it (lower-case headers, raw bytes). */
export function rawRequest(req: SignedRequest, headers: Record<string, string | undefined> = {}): RawRequest {
  const merged: Record<string, string | undefined> = { ...req.headers, ...headers };
  return {
    headers: merged,
    contentType: "application/json",
    rawBody: Buffer.from(req.body, "utf8"),
    body: req.body,
  };
}
