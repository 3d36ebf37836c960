/** A caller waiting for its own item's outcome in a batch. */
export interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/** Writes a batch; answers each item's outcome, in order. */
export type Flush<I, O> = (items: I[]) => Promise<Array<PromiseSettledResult<O>>>;

/**
 * Each waiting item's outcome of a flush of their items. A flush that throws, even synchronously,
 * or answers for the wrong number of items fails its batch only.
 */
export function outcomesOf<I, O>(
  flush: Flush<I, O>,
  batch: Array<Waiting<I, O>>,
): Promise<Array<PromiseSettledResult<O>>> {
  return Promise.resolve()
    .then(() => flush(batch.map((w) => w.item)))
    .then((r) =>
      r.length === batch.length ? r : Promise.reject(new Error("flush answered for the wrong number of items")),
    )
    .catch((err: unknown) => batch.map((): PromiseSettledResult<O> => ({ status: "rejected", reason: err })));
}

/** Settles each caller with its own item's outcome. */
export function settle<I, O>(batch: Array<Waiting<I, O>>, results: Array<PromiseSettledResult<O>>): void {
  batch.forEach((w, i) => {
    const r = results[i]!;
    if (r.status === "fulfilled") w.resolve(r.value);
    else w.reject(r.reason);
  });
}
