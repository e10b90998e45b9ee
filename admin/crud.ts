import { ValidationError, type Action, type ActionContext, type ActionResponse, type BaseRecord } from 'adminjs';
import type { Logger } from '../core/logger.js';
import { safely } from './errors.js';
import { EntityRecord, type EntityResource } from './resource.js';

/**
 * new, edit, delete and bulkDelete, replacing AdminJS's: they write through the resource (hence the
 * entity service), change nothing on GET, and answer a refusal with the field messages and a notice. A
 * refused form gets no values back (the browser keeps what was typed), so a secret typed into it is never
 * echoed in a response.
 */
export function crudHandlers(logger: Logger): Pick<Record<string, Partial<Action<ActionResponse>>>, 'new' | 'edit' | 'delete' | 'bulkDelete'> {
  return {
    new: {
      handler: safely(logger, async (request, _response, context) => {
        const { resource, currentAdmin } = context;
        if (request.method !== 'post') return { record: resource.build({}).toJSON(currentAdmin) };
        return refusals(context, undefined, async () => {
          const { id } = await resource.create(request.payload ?? {}, context);
          return saved(context, String(id), 'successfullyCreated');
        });
      }),
    },
    edit: {
      handler: safely(logger, async (request, _response, context) => {
        const { resource, currentAdmin } = context;
        const record = context.record!;
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        return refusals(context, record, async () => {
          await resource.update(String(record.id()), request.payload ?? {}, context);
          return saved(context, String(record.id()), 'successfullyUpdated');
        });
      }),
    },
    delete: {
      handler: safely(logger, async (request, _response, context) => {
        const { resource, currentAdmin, h } = context;
        const record = context.record!;
        if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
        return refusals(context, record, async () => {
          await resource.delete(String(record.id()), context);
          return {
            record: record.toJSON(currentAdmin),
            redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
            notice: { message: 'successfullyDeleted', type: 'success' },
          };
        });
      }),
    },
    bulkDelete: {
      handler: safely(logger, async (request, _response, context) => {
        const { resource, currentAdmin, h } = context;
        const records = context.records ?? [];
        if (request.method !== 'post') return { records: records.map((r) => r.toJSON(currentAdmin)) };
        const refused: string[] = [];
        for (const record of records) {
          try {
            await resource.delete(String(record.id()), context);
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            refused.push(error.baseError?.message ?? String(record.id()));
          }
        }
        return {
          records: records.map((r) => r.toJSON(currentAdmin)),
          redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
          notice: refused.length
            ? { message: `${records.length - refused.length} deleted; ${refused.join('; ')}`, type: 'error' }
            : { message: 'successfullyBulkDeleted', type: 'success', options: { count: records.length } },
        };
      }),
    },
  };
}

/** After a save: the record as stored, on its show page. */
async function saved(context: ActionContext, id: string, message: string): Promise<ActionResponse> {
  const { resource, h, currentAdmin } = context;
  const fresh = await resource.findOne(id, context);
  return {
    record: fresh!.toJSON(currentAdmin),
    redirectUrl: h.recordActionUrl({ resourceId: resource.id(), recordId: id, actionName: 'show' }),
    notice: { message, type: 'success' },
  };
}

/** Runs a write; a refusal comes back as field messages and an error notice, with no values. */
async function refusals(context: ActionContext, record: BaseRecord | undefined, write: () => Promise<ActionResponse>): Promise<ActionResponse> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const id = record?.id();
    const empty = new EntityRecord(id ? { id } : {}, context.resource as EntityResource, (record as EntityRecord | undefined)?.entity);
    empty.errors = error.propertyErrors;
    empty.baseError = error.baseError;
    return { record: empty.toJSON(context.currentAdmin), notice: { message: error.baseError?.message ?? 'thereWereValidationErrors', type: 'error' } };
  }
}
