import { User } from '../core/auth/user.entity.js';
import { createUser, hashPassword, MIN_PASSWORD } from '../core/auth/users.js';
import { serialize, type Change } from '../core/data/entity-service.js';
import { MvError, validationError } from '../core/errors.js';
import type { EntityInfo } from '../core/registry.js';
import type { Actor, Role } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { exclusively } from '../core/db/lock.js';
import { endSessionsOf } from './session-store.js';
import { fieldErrorsOf } from './errors.js';
import { formInput } from './form-input.js';
import type { RecordWriter } from './resource.js';

/** Writes through the entity service: the API's rules, its field messages, its change events (audit log). */
export function entityWriter(runtime: Runtime, entity: EntityInfo): RecordWriter {
  return {
    create: async (payload, actor) => (await runtime.entities.create(entity, formInput(entity, payload, 'create'), actor)).id,
    update: async (id, payload, actor) => {
      await runtime.entities.update(entity, id, formInput(entity, payload, 'update'), actor);
    },
    delete: (id, actor) => runtime.entities.delete(entity, id, actor),
  };
}

/** Any constant of our own: held while a user's role, status or existence changes (see keepAnAdmin). */
const ADMINS_LOCK = 7_317_002;

/**
 * Users: the fields go through the entity service like any entity; the password (a form field, not an
 * entity field) is hashed with argon2 and never stored or shown otherwise; changing it signs the user out
 * everywhere. At least one enabled admin always remains, so that nobody locks the back-office: the check
 * and the write it allows run under one lock, so that two admins demoting each other at once cannot both
 * succeed.
 */
export function userWriter(runtime: Runtime, entity: EntityInfo): RecordWriter {
  const repo = runtime.data.getRepository(User);
  const announce = (change: Change) => runtime.entities.changes.emit('change', change);

  const password = (payload: Record<string, unknown>): string | undefined => {
    const value = payload.password;
    if (typeof value !== 'string' || value === '') return undefined;
    if (value.length < MIN_PASSWORD) throw validationError({ password: [`must be at least ${MIN_PASSWORD} characters`] }, 'Invalid User');
    return value;
  };

  const keepAnAdmin = async (id: string, after: { role?: unknown; disabled?: unknown } | 'deleted') => {
    const user = await repo.findOneBy({ id });
    if (!user || user.role !== 'admin' || user.disabled) return;
    const stillAdmin = after !== 'deleted' && (after.role ?? 'admin') === 'admin' && !(after.disabled ?? false);
    if (stillAdmin) return;
    const admins = await repo.countBy({ role: 'admin', disabled: false });
    if (admins <= 1) {
      const field = after === 'deleted' ? 'id' : after.disabled ? 'disabled' : 'role';
      throw new MvError('conflict', `${user.email} is the last enabled admin: make another user admin first`, { fields: { [field]: ['the last enabled admin must stay an enabled admin'] } });
    }
  };

  return {
    async create(payload, actor) {
      const input = formInput(entity, payload, 'create');
      const secret = password(payload);
      if (!secret) throw validationError({ password: ['is required'] }, 'Invalid User');
      let user: User;
      try {
        ({ user } = await createUser(runtime.data, {
          email: typeof input.email === 'string' ? input.email : '',
          role: (input.role ?? 'viewer') as Role,
          name: typeof input.name === 'string' ? input.name : undefined,
          password: secret,
        }));
      } catch (error) {
        // "A user with this email already exists" belongs under the email field.
        if (error instanceof MvError && error.code === 'conflict' && !fieldErrorsOf(error)) throw validationError({ email: [error.message] }, 'Invalid User');
        throw error;
      }
      if (input.disabled === true) await repo.update({ id: user.id }, { disabled: true });
      announce({ entity: entity.name, id: user.id, operation: 'create', actor, after: serialize(entity, (await repo.findOneBy({ id: user.id })) as unknown as Record<string, unknown>) });
      return user.id;
    },

    async update(id, payload, actor) {
      const input = formInput(entity, payload, 'update');
      if (typeof input.email === 'string') input.email = input.email.trim().toLowerCase();
      const secret = password(payload);
      await exclusively(runtime.data, ADMINS_LOCK, async () => {
        await keepAnAdmin(id, input);
        await runtime.entities.update(entity, id, input, actor);
      });
      if (secret) {
        await repo.update({ id }, { passwordHash: await hashPassword(secret) });
        // Whoever knew the old password keeps no session opened with it.
        await endSessionsOf(runtime.data, id);
        const marker = { id, secretsSet: ['password'] };
        announce({ entity: entity.name, id, operation: 'update', actor, before: marker, after: marker, secretsChanged: ['password'] });
      }
    },

    async delete(id, actor: Actor) {
      if (id === actor.id) throw new MvError('conflict', 'You cannot delete yourself; another admin can');
      await exclusively(runtime.data, ADMINS_LOCK, async () => {
        await keepAnAdmin(id, 'deleted');
        await runtime.entities.delete(entity, id, actor);
      });
    },
  };
}
