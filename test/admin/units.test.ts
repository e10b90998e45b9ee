import './support/env.js';
import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../admin/auth.js';
import { formInput } from '../../admin/form-input.js';
import { plural } from '../../admin/locale.js';
import { diff, redact } from '../../core/audit/recorder.js';
import { describeEntity } from '../../core/registry.js';
import { Widget } from '../fixtures/modules/widgets/module.js';

describe('login limiter', () => {
  it('blocks an email after 5 failures within the window, then forgets them', () => {
    let now = 0;
    const limiter = new LoginLimiter(undefined, () => now);
    for (let i = 0; i < 5; i++) limiter.failed('10.0.0.1', 'Bob@Example.com');
    expect(limiter.blocked('10.0.0.2', 'bob@example.com ')).toBe(true);
    expect(limiter.blocked('10.0.0.2', 'alice@example.com')).toBe(false);
    now += 15 * 60_000 + 1;
    expect(limiter.blocked('10.0.0.2', 'bob@example.com')).toBe(false);
  });

  it('blocks an address after 20 failures, whatever the emails', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 20; i++) limiter.failed('10.0.0.9', `user${i}@example.com`);
    expect(limiter.blocked('10.0.0.9', 'new@example.com')).toBe(true);
    expect(limiter.blocked('10.0.0.8', 'new@example.com')).toBe(false);
  });
});

describe('audit differences', () => {
  it('keeps what changed, and shows secrets only as set or changed', () => {
    expect(
      diff({
        before: { id: '1', name: 'a', size: 1, updatedAt: 'x', secretsSet: ['apiKey', 'token'] },
        after: { id: '1', name: 'a', size: 2, updatedAt: 'y', secretsSet: ['apiKey'] },
        secretsChanged: ['apiKey'],
      }),
    ).toEqual({ size: { before: 1, after: 2 }, apiKey: { before: '[set]', after: '[changed]' }, token: { before: '[set]', after: null } });
    expect(diff({ after: { id: '1', name: 'a', note: null, secretsSet: ['password'] } })).toEqual({ name: { after: 'a' }, password: { after: '[set]' } });
    expect(diff({ before: { id: '1', name: 'a' }, after: { id: '1', name: 'a' } })).toBeNull();
  });

  it('redacts values stored under secret names, at any depth', () => {
    expect(redact({ user: 'u', password: 'p', nested: [{ apiKey: 'k', keep: 1 }], token: '' })).toEqual({
      user: 'u',
      password: '[redacted]',
      nested: [{ apiKey: '[redacted]', keep: 1 }],
      token: '',
    });
  });
});

describe('form input', () => {
  const widget = describeEntity('test-widgets', Widget);

  it('converts what a form posts into the types of the fields, and drops what may not be written', () => {
    expect(formInput(widget, { name: 'w', size: '12', builds: '5', id: 'x', createdAt: 'y', state: 'new', credentialId: '' }, 'update')).toEqual({
      name: 'w',
      size: 12,
      state: 'new',
      credentialId: null,
    });
    // On create, an empty field with a default gets its default; a value that is not a number is passed on for the service to refuse.
    expect(formInput(widget, { name: 'w', size: '', state: '' }, 'create')).toEqual({ name: 'w' });
    expect(formInput(widget, { size: 'many' }, 'create')).toEqual({ size: 'many' });
  });

  it('reads JSON fields as JSON, and lists of strings also one per line', () => {
    const json = (name: string, of: 'string[]' | 'object') => ({ name, kind: 'json' as const, json: of, label: name, nullable: true, hasDefault: false, readOnly: false, summary: false, secret: false });
    const entity = { ...widget, fields: [json('zones', 'string[]'), json('extra', 'object')] };
    expect(formInput(entity, { zones: 'fr-par-1\n nl-ams-1 ,pl-waw-1\n', extra: '{"a": "b"}' }, 'update')).toEqual({ zones: ['fr-par-1', 'nl-ams-1', 'pl-waw-1'], extra: { a: 'b' } });
    expect(formInput(entity, { zones: '["x"]' }, 'update')).toEqual({ zones: ['x'] });
    expect(() => formInput(entity, { extra: '{"a":' }, 'update')).toThrow(/extra: must be valid JSON/);
  });

  it('names resources in the plural', () => {
    expect(['Credential', 'Audit entry', 'Service provider', 'Key pair', 'Address'].map(plural)).toEqual([
      'Credentials',
      'Audit entries',
      'Service providers',
      'Key pairs',
      'Addresses',
    ]);
  });
});
