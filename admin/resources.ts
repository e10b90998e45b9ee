import type { ActionContext, PropertyOptions, ResourceOptions, ResourceWithOptions } from 'adminjs';
import { User } from '../core/auth/user.entity.js';
import { MIN_PASSWORD } from '../core/auth/users.js';
import type { FieldMeta } from '../core/fields.js';
import { Job } from '../core/jobs/job.entity.js';
import { AuditEntry } from '../core/audit/audit.entity.js';
import type { EntityInfo } from '../core/registry.js';
import { roleAllows } from '../core/roles.js';
import { CORE_RESOURCES, type Runtime } from '../core/runtime.js';
import { registryActions } from './actions.js';
import { roleOf } from './auth.js';
import type { ComponentIds } from './components.js';
import { crudHandlers } from './crud.js';
import { jobPolicy } from './jobs.js';
import { EntityResource } from './resource.js';
import { entityWriter, userWriter } from './writers.js';

const GROUP_ICONS: Record<string, string> = {
  Credentials: 'Key',
  Providers: 'Cloud',
  'Jobs & audit': 'Activity',
  Administration: 'Users',
};

/** Extra, computed columns: they are not fields, so nothing writes them. */
type Virtual = { name: string; options: PropertyOptions; list?: boolean; show?: boolean; edit?: boolean };

interface Extras {
  virtuals: Virtual[];
  /** Columns shown in the list beside the summary fields. */
  listFirst: string[];
  listLast: string[];
  components: Record<string, PropertyOptions['components']>;
  custom: Record<string, Record<string, unknown>>;
}

/**
 * Every entity of every installed module, then the host's own (jobs, audit log, users, API tokens), as
 * AdminJS resources: navigation by the entity's group, list columns from its summary fields, enums as
 * selects, references as links, JSON readable and editable, secrets write-only, rights from its read and
 * write roles, and a button per action of the registry.
 */
export function buildResources(runtime: Runtime, components: ComponentIds): ResourceWithOptions[] {
  return backOfficeEntities(runtime).map((info) => ({
    resource: new EntityResource(
      info,
      runtime,
      info.entity === User ? userWriter(runtime, info) : entityWriter(runtime, info),
      info.entity === Job ? jobPolicy(runtime) : undefined,
    ),
    options: resourceOptions(runtime, info, components),
  }));
}

/** The entities the back-office shows: the modules', then the host's own. */
export function backOfficeEntities(runtime: Runtime): EntityInfo[] {
  return [...runtime.registry.entities(), ...CORE_RESOURCES.map((entity) => runtime.entityInfo(entity.name)!)];
}

function extrasOf(runtime: Runtime, info: EntityInfo, c: ComponentIds): Extras {
  const extras: Extras = { virtuals: [], listFirst: [], listLast: [], components: {}, custom: {} };
  if (runtime.registry.actionsOf(info.name).length) {
    extras.virtuals.push({ name: 'jobs', show: true, options: { components: { show: c.RecordJobs }, position: 10_000 } });
  }
  if (info.entity === Job) {
    extras.virtuals.push({ name: 'duration', list: true, show: true, options: { components: { list: c.Duration, show: c.Duration } } });
    // The result message or the error, on one line (jobPolicy computes it).
    extras.virtuals.push({ name: 'result', list: true, options: {} });
    extras.listLast.push('result', 'createdAt', 'duration');
    extras.components.recordId = { list: c.RecordLink, show: c.RecordLink };
    extras.components.status = { list: c.JobStatus, show: c.JobStatus };
    extras.components.steps = { show: c.JobSteps };
  }
  if (info.entity === AuditEntry) {
    extras.listFirst.push('createdAt');
    extras.components.recordId = { list: c.RecordLink, show: c.RecordLink };
    extras.components.outcome = { list: c.JobStatus, show: c.JobStatus };
    extras.components.changes = { show: c.AuditChanges };
    extras.components.jobId = { list: c.RecordLink, show: c.RecordLink };
    extras.custom.jobId = { entity: 'Job' };
  }
  if (info.entity === User) {
    extras.virtuals.push({
      name: 'password',
      edit: true,
      options: { type: 'password', description: `At least ${MIN_PASSWORD} characters. When editing, leave it empty to keep the current password.` },
    });
  }
  return extras;
}

function resourceOptions(runtime: Runtime, info: EntityInfo, c: ComponentIds): ResourceOptions {
  const extras = extrasOf(runtime, info, c);
  const writable = info.fields.filter((f) => !f.readOnly && f.kind !== 'id');
  const canRead = ({ currentAdmin }: ActionContext) => roleAllows(roleOf(currentAdmin), info.read);
  const canWrite = ({ currentAdmin }: ActionContext) => !info.readOnly && roleAllows(roleOf(currentAdmin), info.write);
  const crud = crudHandlers(runtime.logger);
  const properties: Record<string, PropertyOptions> = {};
  for (const [index, field] of info.fields.entries()) {
    properties[field.name] = propertyOptions(field, index + 1, c, extras.components[field.name]);
    if (extras.custom[field.name]) properties[field.name].custom = { ...properties[field.name].custom, ...extras.custom[field.name] };
  }
  for (const virtual of extras.virtuals) {
    properties[virtual.name] = { ...virtual.options, isVisible: { list: !!virtual.list, show: !!virtual.show, edit: !!virtual.edit, filter: false }, isSortable: false };
  }
  return {
    id: info.name,
    navigation: { name: info.group, icon: GROUP_ICONS[info.group] ?? 'Server' },
    titleProperty: info.titleField,
    sort: { sortBy: 'createdAt', direction: 'desc' },
    listProperties: [
      ...extras.listFirst,
      ...info.fields.filter((f) => f.summary && !f.secret).map((f) => f.name),
      ...extras.listLast,
    ],
    showProperties: [...info.fields.map((f) => f.name), ...extras.virtuals.filter((v) => v.show).map((v) => v.name)],
    editProperties: [...writable.map((f) => f.name), ...extras.virtuals.filter((v) => v.edit).map((v) => v.name)],
    filterProperties: info.fields.filter((f) => !f.secret && f.kind !== 'json').map((f) => f.name),
    properties,
    actions: {
      list: { isAccessible: canRead },
      show: { isAccessible: canRead },
      search: { isAccessible: canRead },
      new: { ...crud.new, isAccessible: canWrite, isVisible: canWrite },
      edit: { ...crud.edit, isAccessible: canWrite, isVisible: canWrite },
      delete: { ...crud.delete, isAccessible: canWrite, isVisible: canWrite },
      bulkDelete: { ...crud.bulkDelete, isAccessible: canWrite, isVisible: canWrite },
      ...registryActions(runtime, info, c.RunAction, runtime.logger),
    },
  };
}

function propertyOptions(field: FieldMeta, position: number, c: ComponentIds, override: PropertyOptions['components']): PropertyOptions {
  const options: PropertyOptions = { position, ...(field.description && { description: field.description }) };
  if (field.enum) options.availableValues = field.enum.map((value) => ({ value, label: value }));
  if (field.kind === 'json') {
    options.components = { list: c.JsonValue, show: c.JsonValue, edit: c.JsonEdit };
    options.custom = { json: field.json ?? 'any' };
    options.isSortable = false;
  }
  if (field.kind === 'secret') {
    // Write-only: an empty input keeps the stored value; show pages say only whether one is set.
    options.components = { show: c.SecretValue };
    options.isVisible = { list: false, filter: false, show: true, edit: true };
    options.description = [field.description, 'Write-only: leave empty to keep the current value.'].filter(Boolean).join(' ');
    options.props = { placeholder: 'write-only: leave empty to keep the current value', autoComplete: 'new-password' };
  }
  if (field.kind === 'id') options.isVisible = { list: false, filter: true, show: true, edit: false };
  if (override) options.components = { ...options.components, ...override };
  return options;
}
