/** How long to wait for each kind of resource to settle before giving up (fail-fast states stop earlier). */
export const SERVER_WAIT_MS = 20 * 60_000;
export const IMAGE_WAIT_MS = 60 * 60_000;
export const VOLUME_WAIT_MS = 10 * 60_000;
