import { z } from "zod";

/** GET /api/openapi.json: an OpenAPI 3.1 document (only its frame is described here). */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()).optional(),
    components: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "OpenApiDocument", description: "an OpenAPI 3.1 document" });
