import type { FieldMeta } from '../fields.js';
import { JOB_STATUSES } from '../jobs/job.entity.js';
import type { ParamSpec, ParamSpecs } from '../params.js';
import type { EntityInfo, Registry } from '../registry.js';

type Schema = Record<string, unknown>;

/** The OpenAPI 3.0 document of the API as the registry makes it: one set of paths per entity and action. */
export function openApiDocument(registry: Registry, version: string): Schema {
  const paths: Schema = {};
  const schemas: Schema = {
    Error: errorSchema,
    Job: jobSchema,
    JobEnvelope: { type: 'object', required: ['job'], properties: { job: ref('Job') } },
    JobList: {
      type: 'object',
      required: ['jobs'],
      properties: { jobs: { type: 'array', items: ref('Job') }, job: { allOf: [ref('Job')], description: 'The job, when there is exactly one (as a list action makes)' } },
    },
  };
  paths['/modules'] = { get: op('List the running modules, their entities and actions', 'modules', { 200: json({ type: 'object' }) }) };
  paths['/modules/installed'] = {
    get: op('What the data dir has installed, and whether a restart is needed to run it', 'modules', { 200: json({ type: 'object', properties: { modules: { type: 'array', items: { type: 'object' } }, restartRequired: { type: 'boolean' } } }) }),
  };
  const changes = json({ type: 'object', properties: { changes: { type: 'array', items: { type: 'object' } } } }, 'What changed; the server runs it after a restart');
  paths['/modules/install'] = { post: op('Install a module from git, with its dependencies (admin)', 'modules', { 200: changes }, [], installSchema) };
  paths['/modules/{code}/upgrade'] = {
    post: op('Upgrade a module to a new ref; its new migrations run, its data is kept (admin)', 'modules', { 200: changes }, [codeParam], { type: 'object', properties: { ref: { type: 'string' } } }),
  };
  paths['/modules/{code}'] = {
    delete: op('Uninstall a module; its data is kept unless purge (admin)', 'modules', { 200: changes }, [codeParam, query('purge', { type: 'boolean' }, 'Also revert its migrations (drops its tables)')]),
  };
  paths['/jobs'] = {
    get: op('List jobs', 'jobs', { 200: json({ type: 'object', properties: { items: { type: 'array', items: ref('Job') }, total: { type: 'integer' } } }) }, [
      query('status', { type: 'string', enum: [...JOB_STATUSES] }),
      query('entity', { type: 'string' }),
      query('recordId', { type: 'string' }),
      query('action', { type: 'string' }),
      ...pageParams,
    ]),
  };
  paths['/jobs/{id}'] = { get: op('Get a job', 'jobs', { 200: json(ref('JobEnvelope')) }, [idParam]) };
  paths['/jobs/{id}/events'] = {
    get: op('Stream a job’s progress (server-sent events `progress`, then `end`)', 'jobs', { 200: { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } }, [idParam]),
  };
  paths['/jobs/{id}/cancel'] = { post: op('Cancel a queued or running job', 'jobs', { 200: json(ref('JobEnvelope')) }, [idParam]) };

  for (const entity of registry.entities()) {
    const name = entity.name;
    schemas[name] = recordSchema(entity, 'read');
    schemas[`${name}Input`] = recordSchema(entity, 'write');
    const tag = entity.label;
    const filters = entity.fields
      .filter((f) => !f.secret && f.kind !== 'json')
      .map((f) => query(f.name, { ...fieldSchema(f), nullable: undefined }, `Only records whose ${f.name} equals this`));
    paths[`/entities/${name}`] = {
      get: op(`List ${entity.label} records`, tag, { 200: json({ type: 'object', properties: { items: { type: 'array', items: ref(name) }, total: { type: 'integer' }, page: { type: 'integer' }, perPage: { type: 'integer' } } }) }, [
        ...pageParams,
        query('sort', { type: 'string' }, 'A field name, prefixed with - for descending order'),
        ...filters,
      ]),
      ...(!entity.readOnly && { post: op(`Create a ${entity.label}`, tag, { 201: json(ref(name)) }, [], ref(`${name}Input`)) }),
    };
    paths[`/entities/${name}/{id}`] = {
      get: op(`Get a ${entity.label}`, tag, { 200: json(ref(name)) }, [idParam]),
      ...(!entity.readOnly && {
        patch: op(`Change a ${entity.label}`, tag, { 200: json(ref(name)) }, [idParam], ref(`${name}Input`)),
        delete: op(`Delete a ${entity.label}`, tag, { 204: { description: 'Deleted' } }, [idParam]),
      }),
    };
    for (const { definition: action } of registry.actionsOf(name)) {
      const body = paramsSchema(action.params ?? {});
      const summary = `${action.label}${action.description ? ` — ${action.description}` : ''}`;
      const responses = (envelope: string) => ({
        200: { ...json(ref(envelope), 'Ended within ?wait'), headers: locationHeader },
        202: { ...json(ref(envelope), 'Queued or running'), headers: locationHeader },
      });
      const extra = [query('wait', { type: 'number', minimum: 0, maximum: 300 }, 'Seconds to wait for the end'), query('dryRun', { type: 'boolean' })];
      if (action.kind === 'list' || action.kind === 'bulk') {
        const ids = action.kind === 'bulk' ? [query('ids', { type: 'string' }, 'Comma-separated record ids (one job each)')] : [];
        paths[`/entities/${name}/actions/${action.code}`] = { post: op(summary, tag, responses('JobList'), [...ids, ...extra], body) };
      }
      if (action.kind !== 'list') {
        paths[`/entities/${name}/{id}/actions/${action.code}`] = { post: op(summary, tag, responses('JobEnvelope'), [idParam, ...extra], body) };
      }
    }
  }
  return {
    openapi: '3.0.3',
    info: { title: 'mv-infra API', version, description: 'Entities, actions and jobs of the installed modules. Authenticate with `Authorization: Bearer <token>`.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}

function recordSchema(entity: EntityInfo, mode: 'read' | 'write'): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const field of entity.fields) {
    if (mode === 'read' && field.secret) continue;
    if (mode === 'write' && field.readOnly) continue;
    properties[field.name] = { ...fieldSchema(field), ...(field.secret && { writeOnly: true }), ...(field.readOnly && { readOnly: true }) };
    if (mode === 'write' && !field.nullable && !field.hasDefault) required.push(field.name);
  }
  if (mode === 'read' && entity.fields.some((f) => f.secret)) {
    properties.secretsSet = { type: 'array', items: { type: 'string' }, readOnly: true, description: 'Write-only fields that hold a value' };
  }
  return { type: 'object', properties, ...(required.length && { required }) };
}

function fieldSchema(field: FieldMeta): Schema {
  const base = ((): Schema => {
    switch (field.kind) {
      case 'integer':
        return { type: 'integer', ...(field.min !== undefined && { minimum: field.min }), ...(field.max !== undefined && { maximum: field.max }) };
      case 'number':
        return { type: 'number' };
      case 'boolean':
        return { type: 'boolean' };
      case 'datetime':
        return { type: 'string', format: 'date-time' };
      case 'enum':
        return { type: 'string', enum: [...field.enum!] };
      case 'json':
        return field.json === 'string[]' ? { type: 'array', items: { type: 'string' } } : { type: 'object', additionalProperties: true };
      case 'reference':
      case 'id':
        return { type: 'string', format: 'uuid' };
      default:
        return { type: 'string', ...(field.maxLength !== undefined && { maxLength: field.maxLength }) };
    }
  })();
  return { ...base, ...(field.nullable && { nullable: true }), ...(field.label && { title: field.label }), ...(field.description && { description: field.description }) };
}

function paramsSchema(params: ParamSpecs): Schema {
  const properties: Schema = {};
  const required: string[] = [];
  for (const [name, spec] of Object.entries(params)) {
    properties[name] = paramSchema(spec);
    if (spec.required && spec.default === undefined) required.push(name);
  }
  return { type: 'object', properties, additionalProperties: false, ...(required.length && { required }) };
}

function paramSchema(spec: ParamSpec): Schema {
  const described = { ...(spec.label && { title: spec.label }), ...(spec.description && { description: spec.description }), ...(typeof spec.default !== 'function' && spec.default !== undefined && { default: spec.default }) };
  switch (spec.type) {
    case 'string':
      return { type: 'string', ...(spec.enum && { enum: [...spec.enum] }), ...(spec.maxLength && { maxLength: spec.maxLength }), ...(spec.pattern && { pattern: spec.pattern.source }), ...described };
    case 'integer':
    case 'number':
      return { type: spec.type, ...(spec.min !== undefined && { minimum: spec.min }), ...(spec.max !== undefined && { maximum: spec.max }), ...described };
    case 'boolean':
      return { type: 'boolean', ...described };
    case 'string[]':
      return { type: 'array', items: { type: 'string' }, ...described };
    case 'json':
      return { ...described };
  }
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const query = (name: string, schema: Schema, description?: string) => ({ name, in: 'query', required: false, schema, ...(description && { description }) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const codeParam = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const installSchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', description: 'https://, ssh://, user@host:path, file:// or a local path' },
    ref: { type: 'string', description: 'Branch, tag or commit' },
    path: { type: 'string', description: 'Where module.json is in the repository' },
    onConflict: { type: 'string', enum: ['fail', 'skip', 'overwrite'] },
    dependencyUrls: { type: 'object', additionalProperties: { type: 'string' }, description: 'Module code → URL to take a missing dependency from' },
  },
};
const pageParams = [query('page', { type: 'integer', minimum: 1 }), query('per_page', { type: 'integer', minimum: 1, maximum: 500 })];
const errorResponses = {
  400: json(ref('Error'), 'Invalid request; details.fields has one message list per field'),
  401: json(ref('Error'), 'No or unknown token'),
  403: json(ref('Error'), 'The token’s role does not allow this'),
  404: json(ref('Error'), 'Not found'),
  409: json(ref('Error'), 'Conflict'),
};

function op(summary: string, tag: string, responses: Schema, parameters: unknown[] = [], body?: Schema): Schema {
  return {
    summary,
    tags: [tag],
    parameters,
    ...(body && { requestBody: { required: false, content: { 'application/json': { schema: body } } } }),
    responses: { ...responses, ...errorResponses },
  };
}

const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', required: ['code', 'message', 'details'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { description: 'null when there are none' } } },
  },
};

const locationHeader = { Location: { description: 'The job, when there is one', schema: { type: 'string' } } };

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    module: { type: 'string' },
    entity: { type: 'string' },
    recordId: { type: 'string', nullable: true },
    action: { type: 'string' },
    params: { type: 'object', additionalProperties: true },
    dryRun: { type: 'boolean' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    percent: { type: 'integer' },
    steps: { type: 'array', items: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, percent: { type: 'integer' }, message: { type: 'string' } } } },
    message: { type: 'string', nullable: true },
    value: { nullable: true },
    error: { type: 'object', nullable: true, required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, cause: { type: 'string' }, details: {} } },
    startedBy: { type: 'string' },
    attempts: { type: 'integer' },
    cancelRequested: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time', nullable: true },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
    durationMs: { type: 'integer', nullable: true },
  },
};
