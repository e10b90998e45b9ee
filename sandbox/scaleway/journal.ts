/**
 * The API requests the emulator answered (after authentication and faults), in order: what tests
 * assert when an action must have sent nothing, or exactly some calls. Control endpoints are not
 * journaled. The journal keeps the most recent entries only, so a long sandbox session stays small.
 */
export interface JournalEntry {
  /** 1, 2, ... in arrival order; never reused, even after a reset. */
  seq: number;
  method: string;
  path: string;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const KEPT = 10_000;

export class RequestJournal {
  #entries: JournalEntry[] = [];
  #seq = 0;

  record(method: string, path: string): void {
    this.#entries.push({ seq: ++this.#seq, method, path });
    if (this.#entries.length > KEPT * 2) this.#entries = this.#entries.slice(-KEPT);
  }

  /** A point to compare with later: `since(mark())` is what came after it. */
  mark(): number {
    return this.#seq;
  }

  since(mark = 0): JournalEntry[] {
    return this.#entries.filter((entry) => entry.seq > mark);
  }

  /** The requests after `mark` that may change something (anything but GET, HEAD and OPTIONS). */
  mutations(mark = 0): JournalEntry[] {
    return this.since(mark).filter((entry) => !READS.has(entry.method));
  }
}
