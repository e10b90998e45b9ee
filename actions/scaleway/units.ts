export const GB = 1_000_000_000;

/** Bytes as the catalogue and the console show them: decimal gigabytes. */
export const gb = (bytes: number): string => `${Number((bytes / GB).toFixed(2))} GB`;
