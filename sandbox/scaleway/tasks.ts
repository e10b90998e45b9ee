import type { Task } from '../../providers/scaleway/wire.js';
import { instanceDate } from './time.js';

const NIL_ID = '00000000-0000-0000-0000-000000000000';

/**
 * The task an asynchronous Instance call answers. Production returns a placeholder (nil id,
 * "fake task", `pending`): tasks cannot be fetched, so clients poll `href_result` instead.
 */
export function placeholderTask(zone: string, hrefFrom: string, hrefResult: string): Task {
  return {
    id: NIL_ID,
    description: 'fake task',
    status: 'pending',
    href_from: hrefFrom,
    href_result: hrefResult,
    started_at: instanceDate(),
    terminated_at: null,
    progress: 0,
    zone,
  };
}
