import { z } from "zod";
import { time } from "./common.js";

/** An incident (docs/incidents.md): from PagerDuty, Sentry, or an issue carrying an incident label. */
export const IncidentSchema = z
  .strictObject({
    key: z.string().meta({ description: "`incident:<source>:<id>`" }),
    source: z.enum(["pagerduty", "sentry", "github", "linear"]),
    title: z.string().nullable(),
    status: z.enum(["open", "acknowledged", "resolved"]),
    service: z.string().nullable(),
    environment: z.string().nullable(),
    repository: z.string().nullable(),
    url: z.string().nullable(),
    openedAt: time,
    acknowledgedAt: time.nullable(),
    resolvedAt: time.nullable().meta({ description: "null while not resolved (a reopened incident is not)" }),
    names: z.array(z.string()).meta({ description: "entity keys its text names (PRs, commits, issues, deploys)" }),
    cause: z
      .strictObject({ deploy: z.string(), confidence: z.number() })
      .nullable()
      .meta({ description: "its most likely cause: the best-ranked suspect" }),
  })
  .meta({ id: "Incident" });

export const IncidentListSchema = z.strictObject({ items: z.array(IncidentSchema) }).meta({ id: "IncidentList" });

/** A suspect deploy with the evidence that ranks it. */
export const SuspectSchema = z
  .strictObject({
    deploy: z.string(),
    repository: z.string(),
    service: z.string(),
    environment: z.string(),
    finishedAt: time.nullable(),
    confidence: z.number(),
    rule: z.string(),
    reasons: z.array(z.string()).meta({ description: "why, one line per piece of evidence" }),
  })
  .meta({ id: "Suspect" });

export const IncidentDetailSchema = z
  .strictObject({ incident: IncidentSchema, suspects: z.array(SuspectSchema) })
  .meta({ id: "IncidentDetail" });
