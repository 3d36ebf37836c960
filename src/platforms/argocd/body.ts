import { z } from "zod";
import { LIMITS } from "../../shared/bounds.js";
import { storableIsoDate } from "../iso-date.js";

/**
 * Argo CD renders a field its template names but the application lacks as `<no value>` (Go templates),
 * or as an empty string: both mean absent.
 */
const absent = (v: unknown) => (v === "" || v === "<no value>" ? undefined : v);
const name = z.string().min(1).max(LIMITS.nameBytes);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(absent, schema.optional());
/** Argo CD's times are RFC 3339 (`2026-11-20T10:04:30Z`); years PostgreSQL holds (iso-date.ts). */
const isoDate = storableIsoDate();

/** Argo CD sync operation phases (its `OperationPhase`). */
export const ARGOCD_PHASES = ["Running", "Terminating", "Failed", "Error", "Succeeded"] as const;

/** The body docs/senders/argocd.md's template renders, one notification of one application. */
export const argocdBody = z.object({
  /** Unique per notification: the application's uid, the operation's start, phase and health. */
  id: z.string().min(1).max(200),
  app: name,
  project: optional(name),
  revision: optional(name),
  repoURL: optional(z.string().max(LIMITS.urlBytes)),
  phase: z.enum(ARGOCD_PHASES),
  health: optional(name),
  startedAt: optional(isoDate),
  finishedAt: optional(isoDate),
  server: optional(z.string().max(LIMITS.urlBytes)),
  namespace: optional(name),
  /** What the user sets per application or Argo CD instance; the destination namespace when absent. */
  environment: optional(name),
  /** The application's page; kept only when it is an http(s) URL (an unset `context.argocdUrl` renders `<no value>/…`). */
  url: optional(z.string().max(LIMITS.urlBytes)),
});

export type ArgocdBody = z.infer<typeof argocdBody>;
