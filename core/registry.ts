import semver from 'semver';
import { entityName, type ActionDefinition, type EntityClass } from './action.js';
import { MvError } from './errors.js';
import { fieldsOf, type FieldMeta } from './fields.js';
import type { ModuleManifest } from './manifest.js';
import type { ModuleDefinition } from './module.js';
import { paramDefaults, type ParamSpecs } from './params.js';
import { resourceOptionsOf, type ResourceOptions } from './resource.js';
import type { Role } from './roles.js';

export interface LoadedModule {
  manifest: ModuleManifest;
  definition: ModuleDefinition;
  /** Where the module's files are (its module.json is here). */
  dir: string;
  source: 'bundled' | 'git';
}

export interface EntityInfo {
  name: string;
  module: string;
  entity: EntityClass;
  label: string;
  group: string;
  titleField: string;
  read: Role;
  write: Role;
  readOnly: boolean;
  description?: string;
  fields: FieldMeta[];
}

export interface ActionInfo {
  module: string;
  definition: ActionDefinition<any, any>;
}

/**
 * The only place that knows which modules, entities and actions exist. Built in one go from the loaded
 * modules and checked as a whole, so a bad module leaves nothing half-registered.
 */
export class Registry {
  private readonly entityByName = new Map<string, EntityInfo>();
  private readonly actionsByEntity = new Map<string, Map<string, ActionInfo>>();

  private constructor(readonly modules: readonly LoadedModule[]) {}

  static build(loaded: LoadedModule[]): Registry {
    const registry = new Registry(dependencyOrder(loaded));
    for (const module of registry.modules) {
      const code = module.manifest.code;
      for (const entity of module.definition.entities) registry.addEntity(code, entity);
    }
    for (const module of registry.modules) {
      for (const action of module.definition.actions) registry.addAction(module.manifest.code, action);
    }
    return registry;
  }

  module(code: string): LoadedModule | undefined {
    return this.modules.find((m) => m.manifest.code === code);
  }

  entities(): EntityInfo[] {
    return [...this.entityByName.values()];
  }

  entityClasses(): EntityClass[] {
    return this.entities().map((e) => e.entity);
  }

  entity(name: string): EntityInfo {
    const info = this.entityByName.get(name);
    if (!info) throw new MvError('not_found', `No entity named ${name} (known: ${[...this.entityByName.keys()].join(', ') || 'none'})`);
    return info;
  }

  hasEntity(name: string): boolean {
    return this.entityByName.has(name);
  }

  actionsOf(entity: string): ActionInfo[] {
    return [...(this.actionsByEntity.get(entity)?.values() ?? [])];
  }

  action(entity: string, code: string): ActionInfo {
    const action = this.actionsByEntity.get(entity)?.get(code);
    if (!action) {
      const known = this.actionsOf(entity).map((a) => a.definition.code);
      throw new MvError('not_found', `${entity} has no action ${code} (known: ${known.join(', ') || 'none'})`);
    }
    return action;
  }

  /** Modules, their entities (fields) and actions (parameters), as the API and `module list --json` show them. */
  describe() {
    return this.modules.map((module) => ({
      code: module.manifest.code,
      version: module.manifest.currentVersion,
      description: module.manifest.description,
      license: module.manifest.license,
      source: module.source,
      dependencies: module.manifest.moduleDependencies.map((d) => ({ code: d.code, version: d.currentVersion })),
      entities: this.entities()
        .filter((entity) => entity.module === module.manifest.code)
        .map((entity) => ({
          name: entity.name,
          label: entity.label,
          group: entity.group,
          readOnly: entity.readOnly,
          fields: entity.fields.map(describeField),
        })),
      actions: this.entities()
        .flatMap((entity) => this.actionsOf(entity.name))
        .filter((action) => action.module === module.manifest.code)
        .map(({ definition }) => describeAction(definition)),
    }));
  }

  private addEntity(module: string, entity: EntityClass): void {
    const existing = this.entityByName.get(entity.name);
    if (existing) throw new MvError('conflict', `Module ${module} declares entity ${entity.name}, already declared by ${existing.module}`);
    this.entityByName.set(entity.name, describeEntity(module, entity));
  }

  private addAction(module: string, action: ActionDefinition<any, any>): void {
    const entity = entityName(action.entity);
    if (!this.entityByName.has(entity)) {
      throw new MvError('invalid_request', `Module ${module}: action ${action.code} applies to ${entity}, which no installed module declares`);
    }
    const actions = this.actionsByEntity.get(entity) ?? new Map<string, ActionInfo>();
    if (actions.has(action.code)) throw new MvError('conflict', `Module ${module}: ${entity} already has an action ${action.code}`);
    actions.set(action.code, { module, definition: action });
    this.actionsByEntity.set(entity, actions);
  }
}

/** What the registry knows of an entity class: also used for the host's own entities (jobs, users). */
export function describeEntity(module: string, entity: EntityClass): EntityInfo {
  const name = entity.name;
  const options: ResourceOptions = resourceOptionsOf(entity);
  const fields = fieldsOf(entity);
  const titleField = options.titleField ?? fields.find((f) => f.name === 'name')?.name ?? 'id';
  if (!fields.some((f) => f.name === titleField)) throw new MvError('invalid_request', `${module}: ${name}'s title field ${titleField} is not one of its fields`);
  return {
    name,
    module,
    entity,
    label: options.label ?? name.replace(/([a-z])([A-Z])/g, '$1 $2'),
    group: options.group ?? module,
    titleField,
    read: options.read ?? 'viewer',
    write: options.write ?? 'operator',
    readOnly: options.readOnly ?? false,
    description: options.description,
    fields,
  };
}

export function describeField(field: FieldMeta) {
  return {
    name: field.name,
    type: field.kind,
    label: field.label,
    required: !field.nullable && !field.hasDefault && !field.readOnly,
    ...(field.readOnly && { readOnly: true }),
    ...(field.secret && { writeOnly: true }),
    ...(field.summary && { summary: true }),
    ...(field.enum && { enum: field.enum }),
    ...(field.maxLength !== undefined && field.kind !== 'enum' && { maxLength: field.maxLength }),
    ...(field.reference && { references: field.reference.entity }),
    ...(field.description && { description: field.description }),
  };
}

export function describeAction(action: ActionDefinition<any, any>) {
  return {
    code: action.code,
    label: action.label,
    entity: entityName(action.entity),
    kind: action.kind,
    role: action.role ?? 'operator',
    ...(action.description && { description: action.description }),
    ...(typeof action.confirm === 'string' && { confirm: action.confirm }),
    ...(typeof action.confirm === 'function' && { confirm: true }),
    parameters: Object.entries((action.params ?? {}) as ParamSpecs).map(([name, spec]) => {
      const fallback = paramDefaults({ [name]: spec })[name];
      return {
        name,
        type: spec.type,
        required: spec.required ?? false,
        ...(spec.label && { label: spec.label }),
        ...(spec.description && { description: spec.description }),
        ...(spec.type === 'string' && spec.enum && { enum: spec.enum }),
        ...(fallback !== undefined && { default: fallback }),
      };
    }),
  };
}

/** Dependencies first; refuses missing dependencies, versions outside the required range and cycles. */
export function dependencyOrder(modules: LoadedModule[]): LoadedModule[] {
  const byCode = new Map<string, LoadedModule>();
  for (const module of modules) {
    if (byCode.has(module.manifest.code)) throw new MvError('conflict', `Two modules have the code ${module.manifest.code}`);
    byCode.set(module.manifest.code, module);
  }
  const ordered: LoadedModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (module: LoadedModule, path: string[]) => {
    const code = module.manifest.code;
    if (state.get(code) === 'done') return;
    if (state.get(code) === 'visiting') throw new MvError('conflict', `Module dependency cycle: ${[...path, code].join(' → ')}`);
    state.set(code, 'visiting');
    for (const dependency of module.manifest.moduleDependencies) {
      const installed = byCode.get(dependency.code);
      if (!installed) throw new MvError('precondition_failed', `${code} needs ${dependency.code} ${dependency.currentVersion}, which is not installed`);
      if (!semver.satisfies(installed.manifest.currentVersion, dependency.currentVersion, { includePrerelease: true })) {
        throw new MvError(
          'conflict',
          `${code} needs ${dependency.code} ${dependency.currentVersion}, but ${dependency.code} ${installed.manifest.currentVersion} is installed`,
        );
      }
      visit(installed, [...path, code]);
    }
    state.set(code, 'done');
    ordered.push(module);
  };
  for (const module of modules) visit(module, []);
  return ordered;
}
