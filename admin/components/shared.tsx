import React from 'react';
import { Badge, Box, Text } from '@adminjs/design-system';
// Type-only imports of the server's own types: the bundler's TypeScript preset erases them.
import type { JobView as ServerJobView } from '../../core/jobs/job-view.js';

/** Helpers shared by the back-office's components (bundled with them by AdminJS). */

export type JobStep = ServerJobView['steps'][number];

/** A job as the back-office's endpoints send it; the dashboard adds labels. */
export type JobView = ServerJobView & { entityLabel?: string; recordTitle?: string | null; actionLabel?: string };

export const FINAL = ['succeeded', 'failed', 'cancelled'];

export function rootPath(): string {
  return (window as any).REDUX_STATE?.paths?.rootPath ?? '/admin';
}

export class ApiProblem extends Error {
  constructor(
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
  }
}

/** The back-office's own JSON endpoints; errors come back as `{"error": {"message", "details"}}`. */
export async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${rootPath()}/mv${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'same-origin',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data: any;
  try {
    data = await response.json();
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    throw new ApiProblem(data?.error?.message ?? `The server answered ${response.status} ${response.statusText}`, data?.error?.details?.fields ?? {});
  }
  return data as T;
}

/** A date in the reader's locale and time zone; the ISO value stays in the tooltip. */
export function formatDate(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export const LocalTime: React.FC<{ value: unknown }> = ({ value }) =>
  value ? (
    <time dateTime={String(value)} title={String(value)} data-testid="local-date">
      {formatDate(value)}
    </time>
  ) : null;

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

const STATUS_VARIANT: Record<string, string> = {
  succeeded: 'success',
  failed: 'danger',
  cancelled: 'secondary',
  running: 'primary',
  queued: 'info',
};

export const StatusBadge: React.FC<{ status: string | null | undefined }> = ({ status }) =>
  status ? (
    <Badge variant={(STATUS_VARIANT[status] ?? 'default') as any} size="sm" data-testid="status-badge" data-status={status}>
      {status}
    </Badge>
  ) : null;

export const ProgressBar: React.FC<{ percent: number; status: string }> = ({ percent, status }) => {
  const color = status === 'failed' ? 'error' : status === 'succeeded' ? 'success' : 'primary100';
  return (
    <Box
      bg="grey20"
      height="8px"
      width="100%"
      style={{ borderRadius: 4, overflow: 'hidden' }}
      role="progressbar"
      aria-valuenow={percent}
      aria-valuemin={0}
      aria-valuemax={100}
      data-testid="mv-progress"
    >
      <Box bg={color} height="8px" width={`${Math.max(0, Math.min(100, percent))}%`} style={{ transition: 'width 0.3s' }} />
    </Box>
  );
};

// Meveo's wording for a failed action: in a file of its own, without JSX, for the unit tests.
export { failureText } from './failure.js';

export function recordUrl(entity: string, id: string): string {
  return `${rootPath()}/resources/${encodeURIComponent(entity)}/records/${encodeURIComponent(id)}/show`;
}

export const Muted: React.FC<{ children: React.ReactNode }> = ({ children }) => (
  <Text as="span" color="grey60" fontSize="sm">
    {children}
  </Text>
);

/** A job's steps: when, how far, what. */
export const StepList: React.FC<{ steps: JobStep[]; testId: string }> = ({ steps, testId }) => (
  <Box as="ol" mt="sm" pl="lg" data-testid={testId}>
    {steps.map((step, index) => (
      <li key={index}>
        <Muted>
          <LocalTime value={step.at} /> · {step.percent}%
        </Muted>{' '}
        {step.message}
      </li>
    ))}
  </Box>
);
