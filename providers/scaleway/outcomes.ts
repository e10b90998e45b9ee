import { ProviderError } from 'mv-infra/core';

/** The call went out but no answer came back: it may have been done. */
export function isLostResponse(error: unknown): boolean {
  return error instanceof ProviderError && error.lostResponse;
}

/** A delete of something already gone (an earlier attempt got through) counts as done. */
export async function ignoreGone(call: Promise<void>): Promise<void> {
  await call.catch((error) => {
    if (!(error instanceof ProviderError && error.notFound)) throw error;
  });
}

/** A read of something that may be gone (deleted behind our back): undefined then, instead of an error. */
export async function unlessGone<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof ProviderError && error.notFound) return undefined;
    throw error;
  }
}
