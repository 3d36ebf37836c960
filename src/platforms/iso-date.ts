import { z } from "zod";

/**
 * An ISO-8601 date-time with a zone, in the years PostgreSQL can hold (shared/time.ts storableDate):
 * year 0 and six-digit years are refused here, at the edge. The senders' bodies (deploy, Argo CD) and
 * published events take their times so.
 */
export const storableIsoDate = (message?: string) =>
  z.iso
    .datetime({ offset: true, ...(message ? { message } : {}) })
    .refine((s) => /^\d{4}-/.test(s) && !s.startsWith("0000"), "must be a date between years 1 and 9999");
