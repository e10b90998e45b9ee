import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { HOST_ROOT } from '../core/paths.js';

/**
 * The custom React components, bundled by AdminJS itself. They are TypeScript sources outside the tsc
 * build, so they are always found at the source path, from `dist/` as well.
 */
export const COMPONENTS_SOURCE = path.join(HOST_ROOT, 'admin', 'components');

const COMPONENTS = {
  Dashboard: 'Dashboard',
  RunAction: 'RunAction',
  JsonValue: 'JsonValue',
  JsonEdit: 'JsonEdit',
  SecretValue: 'SecretValue',
  RecordJobs: 'RecordJobs',
  RecordLink: 'RecordLink',
  JobSteps: 'JobSteps',
  JobStatus: 'JobStatus',
  Duration: 'Duration',
  AuditChanges: 'AuditChanges',
  Modules: 'Modules',
} as const;

export type ComponentIds = Record<keyof typeof COMPONENTS, string>;

/** A loader per AdminJS instance (a loader refuses a name twice), with the date components replaced everywhere. */
export function loadComponents(): { loader: ComponentLoader; ids: ComponentIds } {
  const loader = new ComponentLoader();
  const ids = Object.fromEntries(
    Object.entries(COMPONENTS).map(([key, file]) => [key, loader.add(`Mv${key}`, path.join(COMPONENTS_SOURCE, `${file}.tsx`))]),
  ) as ComponentIds;
  // Dates in the reader's locale and time zone, in lists and show pages.
  loader.override('DefaultDatetimeListProperty', path.join(COMPONENTS_SOURCE, 'LocalDate.tsx'));
  loader.override('DefaultDatetimeShowProperty', path.join(COMPONENTS_SOURCE, 'LocalDateShow.tsx'));
  return { loader, ids };
}
