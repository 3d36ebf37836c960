import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What the gauges read when scraped. */
export interface MetricSources {
  queueDepth?: () => Promise<Record<string, number>>;
  oldestWaiting?: () => Promise<number | null>;
  outboxBacklog?: () => Promise<number>;
  streamClients?: () => number;
  /** The read replica's last measured lag in seconds, null while unknown (docs/read-replicas.md). */
  replicaLag?: () => number | null;
}

/** The Prometheus metrics of one process; a registry per instance so tests can run several. */
export function createMetrics({
  queueDepth,
  oldestWaiting,
  outboxBacklog,
  streamClients,
  replicaLag,
}: MetricSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["platform"] as const;
  const metrics = {
    registry,
    received: new Counter({
      name: "switchyard_webhooks_received_total",
      help: "Webhook requests received",
      labelNames,
      registers: [registry],
    }),
    accepted: new Counter({
      name: "switchyard_webhooks_accepted_total",
      help: "Deliveries verified and enqueued",
      labelNames,
      registers: [registry],
    }),
    rejected: new Counter({
      name: "switchyard_webhooks_rejected_total",
      help: "Webhook requests refused, by reason",
      labelNames: ["platform", "reason"] as const,
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "switchyard_webhooks_duplicate_total",
      help: "Redeliveries of known delivery ids",
      labelNames,
      registers: [registry],
    }),
    processed: new Counter({
      name: "switchyard_events_processed_total",
      help: "Jobs processed by the workers, by outcome",
      labelNames: ["platform", "outcome"] as const,
      registers: [registry],
    }),
    unprocessable: new Counter({
      name: "switchyard_deliveries_unprocessable_total",
      help: "Deliveries kept as unprocessable (contract §8), by platform",
      labelNames,
      registers: [registry],
    }),
    ruleFailures: new Counter({
      name: "switchyard_rule_failures_total",
      help: "Custom rules refused at load (invalid) or throwing on an event (failed)",
      labelNames: ["rule", "kind"] as const,
      registers: [registry],
    }),
    outboundAttempts: new Counter({
      name: "switchyard_outbound_attempts_total",
      help: "Subscription messages sent (contract §9), by kind and the message's status after the attempt",
      labelNames: ["kind", "status"] as const,
      registers: [registry],
    }),
    subscriptionsDisabled: new Counter({
      name: "switchyard_subscriptions_disabled_total",
      help: "Subscriptions the service disabled (410 Gone, or failing for OUTBOUND_DISABLE_AFTER_S)",
      registers: [registry],
    }),
    readFallbacks: new Counter({
      name: "switchyard_read_replica_fallbacks_total",
      help: "Reads the read replica would have served that went to the primary, by reason (lagging, unavailable)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    partitions: new Counter({
      name: "switchyard_partitions_total",
      help: "History partitions made ahead or dropped by retention (docs/partitions.md), by table",
      labelNames: ["table", "change"] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: "switchyard_processing_latency_seconds",
      help: "From receipt of a delivery to its event stored",
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
  if (queueDepth) {
    new Gauge({
      name: "switchyard_queue_jobs",
      help: "Jobs in the ingest queue, by state",
      labelNames: ["state"] as const,
      registers: [registry],
      async collect() {
        try {
          for (const [state, n] of Object.entries(await queueDepth())) this.set({ state }, n);
        } catch {
          // Redis down: leave the last values; /readyz reports the outage.
        }
      },
    });
  }
  if (oldestWaiting) {
    new Gauge({
      name: "switchyard_queue_oldest_waiting_seconds",
      help: "How long the oldest job waiting in the ingest queue has waited (0 when none waits)",
      registers: [registry],
      async collect() {
        try {
          this.set((await oldestWaiting()) ?? 0);
        } catch {
          // Redis down: leave the last value.
        }
      },
    });
  }
  if (streamClients) {
    new Gauge({
      name: "switchyard_stream_clients",
      help: "Live stream (GET /api/stream) connections open in this process",
      registers: [registry],
      collect() {
        this.set(streamClients());
      },
    });
  }
  if (outboxBacklog) {
    new Gauge({
      name: "switchyard_outbox_unrelayed",
      help: "Events and milestones stored but not yet handed on by the relay",
      registers: [registry],
      async collect() {
        try {
          this.set(await outboxBacklog());
        } catch {
          // Database down: leave the last value.
        }
      },
    });
  }
  if (replicaLag) {
    new Gauge({
      name: "switchyard_read_replica_lag_seconds",
      help: "The read replica's replay lag at its last poll (NaN while unknown: not reachable yet, or away)",
      registers: [registry],
      collect() {
        this.set(replicaLag() ?? NaN);
      },
    });
  }
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
