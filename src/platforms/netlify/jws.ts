import { createHash, timingSafeEqual } from "node:crypto";
import { jwtVerify } from "jose";

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const encoder = new TextEncoder();

/**
 * Whether `token` is Netlify's JWS for this body under one of the secrets: an HS256 JWT (verified by
 * npm `jose`) whose `iss` is `netlify` and whose `sha256` claim is the hex SHA-256 of the exact body,
 * compared in constant time. Every secret is tried (rotation).
 */
export async function netlifyJwsMatches(secrets: readonly string[], token: string, body: Buffer): Promise<boolean> {
  const digest = Buffer.from(createHash("sha256").update(body).digest("hex"), "utf8");
  let match = false;
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, encoder.encode(secret), {
        issuer: "netlify",
        algorithms: ["HS256"],
      });
      const claimed = payload.sha256;
      if (typeof claimed === "string" && HEX_SHA256.test(claimed)) {
        match = timingSafeEqual(Buffer.from(claimed, "utf8"), digest) || match;
      }
    } catch {
      // Another secret's token, a bad signature, a wrong issuer or an expired token: not this secret's.
    }
  }
  return match;
}
