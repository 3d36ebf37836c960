import { type Flush, outcomesOf, settle, type Waiting } from "../../shared/settle-batch.js";

/**
 * Group commit: the items handed in during one turn of the event loop (every request Node read in
 * that turn) go to `flush` together, at the end of the turn (setImmediate), so they share one Redis
 * round trip instead of one each. Each caller settles with its own item's outcome, only once its
 * flush has answered; a flush that fails, or answers for the wrong number of items, fails its batch.
 * Flushes do not wait for one another: a batch never waits longer than its own turn.
 */
export function groupCommit<I, O>(flush: Flush<I, O>, maxSize: number) {
  let waiting: Array<Waiting<I, O>> = [];
  let scheduled = false;

  function drain() {
    scheduled = false;
    const turn = waiting;
    waiting = [];
    for (let i = 0; i < turn.length; i += maxSize) {
      const batch = turn.slice(i, i + maxSize);
      void outcomesOf(flush, batch).then((results) => settle(batch, results));
    }
  }

  return function add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
    });
  };
}
