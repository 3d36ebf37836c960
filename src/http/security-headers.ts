import helmet from "koa-helmet";
import type { Middleware } from "koa";

/**
 * The content policy of every answer. The console and the queue board are this origin's only
 * pages and load everything from it (air-gapped sites; a stray CDN reference fails loudly); styles
 * may be inline, since chart.js, cytoscape and Bull Board size elements with style attributes.
 * JSON answers carry it too, so a body a browser is tricked into rendering runs nothing.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Plain HTTP on loopback or behind a proxy is how the service is reached: no forced upgrade.
  upgradeInsecureRequests: null,
};

/**
 * helmet's headers on every answer (receivers, API, errors, console, board): `nosniff`, the
 * policy above, no referrer, no framing. Strict-Transport-Security is left to whatever
 * terminates TLS in front of the service, which alone knows whether the whole host is HTTPS.
 */
export function securityHeaders(): Middleware {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
  });
}
