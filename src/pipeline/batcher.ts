interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

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
export function createBatcher<I, O>(flush: (items: I[]) => Promise<Array<PromiseSettledResult<O>>>, o: BatcherOptions) {
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
      // A flush that throws, even synchronously, or answers for the wrong number of items fails its batch only.
      const results = await Promise.resolve()
        .then(() => flush(batch.map((w) => w.item)))
        .then((r) =>
          r.length === batch.length ? r : Promise.reject(new Error("flush answered for the wrong number of items")),
        )
        .catch((err: unknown) => batch.map((): PromiseSettledResult<O> => ({ status: "rejected", reason: err })));
      batch.forEach((w, i) => {
        const r = results[i]!;
        if (r.status === "fulfilled") w.resolve(r.value);
        else w.reject(r.reason);
      });
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
