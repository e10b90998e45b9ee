declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface RollOptions {
    file: string | (() => string);
    frequency?: 'daily' | 'hourly' | number;
    size?: number | string;
    extension?: string;
    mkdir?: boolean;
    symlink?: boolean;
    dateFormat?: string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
  }
  export default function roll(options: RollOptions): Promise<DestinationStream & { end(): void; flushSync?(): void }>;
}
