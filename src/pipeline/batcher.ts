import { type Flush, outcomesOf, settle, type Waiting } from "../shared/settle-batch.js";

export interface BatcherOptions {
  /** Most items per flush. */
  maxSize: number;
  /** How long the first item of an idle batcher waits for company. */
  lingerMs: number;
}

/**
 * Turns single calls into batches. BullMQ hands a worker one job at a time, while storing and
 * correlating cost per transaction: jobs are gathered and flushed together, one flush at a time;
 * whatever arrives during a flush forms the next batch, so batches grow with the load. Each caller
 * gets its own item's outcome, so a job fails (and is retried) alone.
 */
export function createBatcher<I, O>(flush: Flush<I, O>, o: BatcherOptions) {
  let waiting: Array<Waiting<I, O>> = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing = false;

  async function drain() {
    clearTimeout(timer);
    timer = undefined;
    if (flushing) return;
    flushing = true;
    while (waiting.length) {
      const batch = waiting.slice(0, o.maxSize);
      waiting = waiting.slice(batch.length);
      settle(batch, await outcomesOf(flush, batch));
    }
    flushing = false;
  }

  return function add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= o.maxSize) void drain();
      else if (!timer && !flushing) timer = setTimeout(() => void drain(), o.lingerMs);
    });
  };
}
