import type { z } from "zod";
import type { EventDetailSchema, EventPageSchema, EventSchema } from "./events.js";
import type { EntityGraphSchema, EntitySchema, LinkSchema, TimelineEventSchema } from "./graph.js";
import type { IncidentDetailSchema, IncidentListSchema, IncidentSchema, SuspectSchema } from "./incidents.js";
import type { GroupListSchema, GroupSchema, RepositoryListSchema, RepositorySchema } from "./groups.js";
import type { LeadTimeReportSchema, StageSummarySchema } from "./lead-time.js";
import type { BUCKETS, DeployChangesSchema, DeploySchema, DoraFiguresSchema, DoraReportSchema } from "./deploys.js";
import type {
  BackfillStartedSchema,
  CustomRuleSchema,
  JobSchema,
  RuleListSchema,
  RuleSchema,
  RuleTestSchema,
} from "./rules.js";
import type { ImportJobSchema, ImportStartedSchema } from "./imports.js";
import type {
  FailedJobsSchema,
  QueueCountsSchema,
  ReprocessedSchema,
  StoredDeliveryPageSchema,
  StoredDeliverySchema,
} from "./queue.js";
import type {
  MessageRetriedSchema,
  OutboundDeliveryDetailSchema,
  OutboundDeliveryPageSchema,
  OutboundDeliverySchema,
  SavedSubscriptionSchema,
  SubscriptionListSchema,
  SubscriptionSchema,
  TestMessageSchema,
} from "./subscriptions.js";
import type { TokenSchema } from "./token.js";

/**
 * /api's answers as they travel (`z.input` of their schemas: times as ISO strings), for the
 * clients that read them field by field: the CLI (src/cli/) and the console (console/src/api.ts).
 */

/** A keyset page (common.ts `pageOf`) of items read as `T`: `next` asks for the following one. */
export interface Page<T> extends Pick<z.input<typeof EventPageSchema>, "next"> {
  items: T[];
}

export type Event = z.input<typeof EventSchema>;
export type EventPage = z.input<typeof EventPageSchema>;
export type EventDetail = z.input<typeof EventDetailSchema>;

export type Entity = z.input<typeof EntitySchema>;
export type Link = z.input<typeof LinkSchema>;
export type TimelineEvent = z.input<typeof TimelineEventSchema>;
export type EntityGraph = z.input<typeof EntityGraphSchema>;

export type Deploy = z.input<typeof DeploySchema>;
export type DeployChanges = z.input<typeof DeployChangesSchema>;
export type DoraFigures = z.input<typeof DoraFiguresSchema>;
export type DoraReport = z.input<typeof DoraReportSchema>;
export type Incident = z.input<typeof IncidentSchema>;
export type IncidentList = z.input<typeof IncidentListSchema>;
export type Suspect = z.input<typeof SuspectSchema>;
export type IncidentDetail = z.input<typeof IncidentDetailSchema>;
/** A deploy a DORA report counted, with its failure, rework and the incidents it most likely caused. */
export type DoraDeploy = DoraReport["deploys"][number];
/** DORA's 2023 level of each metric that has levels (rework rate has none), as the API rates it. */
export type DoraBands = DoraReport["bands"];
/** `?bucket=` of GET /api/metrics/dora. */
export type Bucket = (typeof BUCKETS)[number];

export type Group = z.input<typeof GroupSchema>;
export type GroupList = z.input<typeof GroupListSchema>;
export type Repository = z.input<typeof RepositorySchema>;
export type RepositoryList = z.input<typeof RepositoryListSchema>;
export type StageSummary = z.input<typeof StageSummarySchema>;
export type LeadTimeReport = z.input<typeof LeadTimeReportSchema>;

export type CustomRule = z.input<typeof CustomRuleSchema>;
export type Rule = z.input<typeof RuleSchema>;
export type RuleList = z.input<typeof RuleListSchema>;
export type RuleTest = z.input<typeof RuleTestSchema>;
export type BackfillStarted = z.input<typeof BackfillStartedSchema>;
export type Job = z.input<typeof JobSchema>;
export type ImportStarted = z.input<typeof ImportStartedSchema>;
export type ImportJob = z.input<typeof ImportJobSchema>;

export type QueueCounts = z.input<typeof QueueCountsSchema>;
export type FailedJobs = z.input<typeof FailedJobsSchema>;
export type StoredDelivery = z.input<typeof StoredDeliverySchema>;
export type StoredDeliveryPage = z.input<typeof StoredDeliveryPageSchema>;
export type Reprocessed = z.input<typeof ReprocessedSchema>;

export type Subscription = z.input<typeof SubscriptionSchema>;
export type SubscriptionList = z.input<typeof SubscriptionListSchema>;
export type SavedSubscription = z.input<typeof SavedSubscriptionSchema>;
export type TestMessage = z.input<typeof TestMessageSchema>;
export type OutboundDelivery = z.input<typeof OutboundDeliverySchema>;
export type OutboundDeliveryPage = z.input<typeof OutboundDeliveryPageSchema>;
export type OutboundDeliveryDetail = z.input<typeof OutboundDeliveryDetailSchema>;
export type MessageRetried = z.input<typeof MessageRetriedSchema>;

/** GET /api/token: the caller's token, its name and what it may do. */
export type Token = z.input<typeof TokenSchema>;
