import type { Middleware } from "koa";
import { SealKeyError } from "../shared/seal.js";
import { RETRY_AFTER_SECONDS } from "./errors.js";

/**
 * A subscription's secrets cannot be sealed or opened with the keys configured (SECRETS_KEYS
 * missing, or lacking the key a value was sealed with): 503, saying which variable to set. The
 * message names the variable and a key id, never a value.
 */
export const answerSealKeyErrors = (): Middleware => async (ctx, next) => {
  try {
    await next();
  } catch (err) {
    if (!(err instanceof SealKeyError)) throw err;
    ctx.status = 503;
    ctx.set("Retry-After", String(RETRY_AFTER_SECONDS));
    ctx.body = { error: err.message };
  }
};
