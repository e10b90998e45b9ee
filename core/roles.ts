import { MvError } from './errors.js';

/** Roles, weakest first. A role may do everything the roles before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(actual: Role | undefined, required: Role): boolean {
  return actual !== undefined && ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/** Refuses unless the actor's role is at least `role`; `what` names what was asked ("Reading jobs"). */
export function assertRole(actor: Actor, role: Role, what: string): void {
  if (!roleAllows(actor.role, role)) throw new MvError('forbidden', `${what} needs the ${role} role; ${actor.name} is ${actor.role}`);
}

/** Who is doing something: an API token, a back-office user, or the CLI on the host itself. */
export interface Actor {
  kind: 'token' | 'user' | 'cli' | 'system';
  id: string;
  name: string;
  role: Role;
}
