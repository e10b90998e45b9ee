import { createHash, randomUUID } from 'node:crypto';

/** A fresh resource id. */
export const newId = (): string => randomUUID();

/**
 * A UUID derived from a name, the same on every run: seeded catalogue resources (public images)
 * keep their ids across resets and restarts, as they do in production.
 */
export function stableId(name: string): string {
  const hex = createHash('sha1').update(`mv-infra/scaleway/${name}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The MAC address of the n-th server: Scaleway's `de:00:00` prefix. */
export function macAddress(n: number): string {
  const bytes = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((byte) => byte.toString(16).padStart(2, '0'));
  return `de:00:00:${bytes.join(':')}`;
}
