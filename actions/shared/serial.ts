/**
 * Runs the work given to it one piece at a time, in order: what several concurrent page handlers write
 * goes through one queue (SQLite has one connection, and one transaction at a time on it).
 */
export function serial(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = tail.then(work);
    tail = next.catch(() => undefined);
    return next;
  };
}
