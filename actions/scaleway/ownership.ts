import { ActionError } from 'mv-infra/core';
import type { Ownership } from '../../entities/provider-resource.js';

type Owned = { ownership: Ownership };
type Check<R> = (record: R) => true | string;

/** Why an action that would change an imported resource is not offered. */
export const OBSERVED_REASON = 'it was imported by a sync and is only observed: adopt it first';

/**
 * The applicability of every action that changes something at the provider: records a sync imported
 * (`observed`) stay read-only until the user adopts them; then `check` decides. Read and list actions do
 * not use it.
 */
export function managedOnly<R extends Owned>(check?: Check<R>): Check<R> {
  return (record) => (record.ownership === 'observed' ? OBSERVED_REASON : (check?.(record) ?? true));
}

/**
 * The same rule for another record an action would change (the server an IP is attached to, the volume
 * attached to a server, the group a rule belongs to): refused before any call, naming the field.
 */
export function requireManaged(record: Owned, what: string, field: string): void {
  if (record.ownership === 'observed') throw new ActionError(`${what} was imported by a sync and is only observed: adopt it first`, { field });
}
