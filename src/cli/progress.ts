import cliProgress from "cli-progress";

export interface Progress {
  /** `done` of `total` so far; the total may change (a backfill learns it when it starts). */
  update(done: number, total: number): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/** cli-progress's bar on a stream, left clean when it stops. */
const singleBar = (format: string, stream: NodeJS.WriteStream) =>
  new cliProgress.SingleBar(
    { format, stream, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );

/**
 * A progress bar on stderr, only when stderr is a terminal: stdout stays the answer alone (for
 * pipes and --json), and logs or CI output get no control characters.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return SILENT;
  const bar = singleBar(`${label} [{bar}] {value}/{total} {percentage}% · eta {eta_formatted}`, stream);
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
        return;
      }
      if (total !== bar.getTotal()) bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * An import's progress, whose size is learnt as it reads: a bar over its resources (`step` of `steps`, the one
 * being read counted done once it is), with the resource's items and pages so far.
 */
export interface Counter {
  update(p: { resource: string; step: number; steps: number; items: number; pages: number }): void;
  stop(): void;
}

export function progressCounter(label: string, stream: NodeJS.WriteStream = process.stderr): Counter {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = singleBar(
    `${label} [{bar}] {value}/{total} resources · {resource} · {items} items · {pages} pages · {duration_formatted}`,
    stream,
  );
  let started = false;
  return {
    update({ resource, step, steps, items, pages }) {
      const done = step - 1;
      if (!started) {
        bar.start(steps, done, { resource, items, pages });
        started = true;
        return;
      }
      if (steps !== bar.getTotal()) bar.setTotal(steps);
      bar.update(done, { resource, items, pages });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
