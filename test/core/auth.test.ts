import { afterEach, describe, expect, it } from 'vitest';
import { revokeToken } from '../../core/auth/tokens.js';
import { User } from '../../core/auth/user.entity.js';
import { createUser, ensureFirstAdmin } from '../../core/auth/users.js';
import { silentLogger } from '../../core/logger.js';
import type { Runtime } from '../../core/runtime.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';

describe.each(DIALECTS)('users and tokens on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  afterEach(async () => {
    await runtime.close();
    await db.drop();
  });

  it('creates the first admin once when instances start together', async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db, { modules: [] });
    const first = { email: 'ops@example.com', password: 'correct horse battery', logger: silentLogger };
    await Promise.all([ensureFirstAdmin(runtime.data, first), ensureFirstAdmin(runtime.data, first)]);
    expect(await runtime.data.getRepository(User).findBy({})).toMatchObject([{ email: 'ops@example.com', role: 'admin' }]);
    // Two creations of one email at once: one user, the other told why.
    const results = await Promise.allSettled([1, 2].map(() => createUser(runtime.data, { email: 'twin@example.com', role: 'viewer', password: 'correct horse battery' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict', message: 'A user with the email twin@example.com already exists' } });
    await expect(createUser(runtime.data, { email: 'not an email', role: 'viewer', password: 'correct horse battery' })).rejects.toMatchObject({
      details: { fields: { email: ['must be an email address'] } },
    });
  });

  it('answers "no such token" for a malformed token id', async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db, { modules: [] });
    await expect(revokeToken(runtime.data, 'abc')).rejects.toMatchObject({ code: 'not_found', message: 'No active token abc' });
  });
});
