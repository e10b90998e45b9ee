import type { Action, ActionContext, ActionResponse, CurrentAdmin } from 'adminjs';
import type { ActionDefinition } from '../core/action.js';
import type { Logger } from '../core/logger.js';
import type { EntityInfo } from '../core/registry.js';
import { roleAllows } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { roleOf } from './auth.js';
import { safely } from './errors.js';
import type { EntityRecord } from './resource.js';

type AdminActionType = 'record' | 'resource' | 'bulk';

/** AdminJS's own action names, which a module's action must not shadow. */
const BUILT_IN = new Set(['list', 'search', 'new', 'show', 'edit', 'delete', 'bulkDelete']);

/** What the action page (RunAction.tsx) needs to know, beside what it fetches. */
export interface RunActionCustom {
  entity: string;
  action: string;
}

/**
 * The AdminJS name of a module's action: its code, unless AdminJS already uses it ("delete"); the bulk
 * form of an action that also runs on one record gets a suffix.
 */
export function adminActionName(code: string, type: AdminActionType): string {
  const base = BUILT_IN.has(code) ? `${code}Action` : code;
  return type === 'bulk' ? `${base}Selected` : base;
}

/** The AdminJS actions of a module's action: on a record, on the list, or both on a record and on a selection. */
export function adminActions(definition: ActionDefinition): { name: string; type: AdminActionType }[] {
  const types: AdminActionType[] = definition.kind === 'instance' ? ['record'] : definition.kind === 'list' ? ['resource'] : ['record', 'bulk'];
  return types.map((type) => ({ name: adminActionName(definition.code, type), type }));
}

export function mayRun(admin: CurrentAdmin | undefined, entity: EntityInfo, action: ActionDefinition): boolean {
  const role = roleOf(admin);
  return roleAllows(role, entity.read) && roleAllows(role, action.role ?? 'operator');
}

/** Whether the action applies to the record as loaded; a record we cannot judge gets no button. */
export function appliesTo(action: ActionDefinition, record: EntityRecord | undefined): boolean {
  if (!record?.entity) return false;
  try {
    return (action.applicable?.(record.entity) ?? true) === true;
  } catch {
    return false;
  }
}

/**
 * The AdminJS actions of an entity's registry actions: instance actions on the record (show page and row
 * menu), list actions on the list header, bulk actions on the record and on a selection. Each opens the
 * action page, which shows the confirmation and the parameters and starts the job with a same-origin POST
 * to the back-office's own endpoint. The AdminJS handler itself never starts anything: it only returns the
 * record(s), whatever the method, so a GET or POST to the AdminJS action URL has no effect. The role is
 * checked here (isAccessible, server side) and again by the runner.
 */
export function registryActions(runtime: Runtime, entity: EntityInfo, component: string, logger: Logger): Record<string, Action<ActionResponse>> {
  const actions: Record<string, Action<ActionResponse>> = {};
  for (const { definition } of runtime.registry.actionsOf(entity.name)) {
    for (const { name, type } of adminActions(definition)) {
      const custom: RunActionCustom = { entity: entity.name, action: definition.code };
      actions[name] = {
        name,
        actionType: type,
        icon: 'Play',
        component,
        custom,
        isAccessible: ({ currentAdmin }: ActionContext) => mayRun(currentAdmin, entity, definition),
        isVisible: ({ currentAdmin, record }: ActionContext) =>
          mayRun(currentAdmin, entity, definition) && (type !== 'record' || appliesTo(definition, record as EntityRecord | undefined)),
        handler: safely(logger, async (_request, _response, context) => {
          const { record, records, currentAdmin } = context;
          if (type === 'record') return { record: record!.toJSON(currentAdmin) };
          if (type === 'bulk') return { records: (records ?? []).map((r) => r.toJSON(currentAdmin)) };
          return {};
        }),
      };
    }
  }
  return actions;
}
