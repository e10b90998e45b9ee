/** Roles, weakest first. A role may do everything the roles before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(actual: Role | undefined, required: Role): boolean {
  return actual !== undefined && ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/** Who is doing something: an API token, a back-office user, or the CLI on the host itself. */
export interface Actor {
  kind: 'token' | 'user' | 'cli' | 'system';
  id: string;
  name: string;
  role: Role;
}
