import type { FieldErrors } from './errors.js';
import type { Role } from './roles.js';

/**
 * What an entity is for the people using it: its label, where it sits in the navigation, who may read
 * and change it, and how a record is named in links and messages.
 */
export interface ResourceOptions {
  label?: string;
  /** Navigation group in the back-office, e.g. "Credentials", "Scaleway". */
  group?: string;
  /** The field that names a record (links, selects, messages). */
  titleField?: string;
  /** Minimum roles. Defaults: read viewer, write operator. */
  read?: Role;
  write?: Role;
  /** Created and changed only by actions (sync, create on the provider), never through CRUD. */
  readOnly?: boolean;
  description?: string;
  /** Rules across fields, checked on create and update after the field rules (the record is the merged result). */
  validate?: (record: any) => FieldErrors;
}

const RESOURCE = Symbol.for('mv:resource');

export function Resource(options: ResourceOptions = {}): ClassDecorator {
  return (target) => {
    Object.defineProperty(target, RESOURCE, { value: options, configurable: true });
  };
}

export function resourceOptionsOf(entity: Function): ResourceOptions {
  return Object.prototype.hasOwnProperty.call(entity, RESOURCE) ? (entity as unknown as Record<symbol, ResourceOptions>)[RESOURCE] : {};
}
