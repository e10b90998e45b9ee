/**
 * Waits for every one of these to end, then fails with the first failure if any: unlike Promise.all, no
 * work is still running when the caller goes on (or its job ends).
 */
export async function settled<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
