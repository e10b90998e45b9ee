/**
 * Timestamps as each Scaleway API writes them: the Instance API with microseconds and an explicit
 * offset (`2026-07-30T12:55:26.540666+00:00`), Block and Marketplace with a `Z`
 * (`2026-07-30T12:55:26.638621Z`). Both sort as strings.
 */

function microseconds(ms: number): string {
  // a millisecond clock: the last three of the six digits are always zero
  return new Date(ms).toISOString().replace(/Z$/, '000');
}

export function instanceDate(ms: number = Date.now()): string {
  return `${microseconds(ms)}+00:00`;
}

export function blockDate(ms: number = Date.now()): string {
  return `${microseconds(ms)}Z`;
}

/** `2026-07-30_12-53`: the suffix of a backup's default name. */
export function backupStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', '_').replace(':', '-');
}
