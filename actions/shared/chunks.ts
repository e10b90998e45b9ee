/** Ids per `IN (...)` list, and records per bulk delete or update: under both databases' limit on bound parameters. */
export const IN_LIST = 1000;

/** The items in slices of `size` (the last one shorter), for statements that take a bounded list. */
export function chunks<T>(items: readonly T[], size = IN_LIST): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}
