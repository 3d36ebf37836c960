/**
 * `work`, or `timedOut()` after `ms`. The work is not cancelled: if it settles after the answer,
 * nothing is left to tell, so its outcome is dropped. One bound for every wait on a peer
 * (Redis for an enqueue or an API call, a readiness check).
 */
export async function deadline<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    work.catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
