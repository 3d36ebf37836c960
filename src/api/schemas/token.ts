import { z } from "zod";
import { SCOPES } from "../../shared/api-tokens.js";

const scope = z.enum(SCOPES);

/** GET /api/token: the token that asks, as the service knows it; never its secret. */
export const TokenSchema = z
  .strictObject({
    id: z.string().meta({ description: "a short digest of the token, as in logs and limits" }),
    name: z.string().nullable().meta({ description: "its name in API_TOKENS (`name:secret…`), if it has one" }),
    scopes: z
      .array(scope)
      .nullable()
      .meta({ description: "the scopes API_TOKENS gives it; null: unscoped, it may do everything" }),
    can: z
      .strictObject({ read: z.boolean(), write: z.boolean(), publish: z.boolean(), admin: z.boolean() })
      .meta({ description: "what it may do, scope by scope (`admin` holds every scope)" }),
  })
  .meta({ id: "Token" });
