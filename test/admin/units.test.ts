import './support/env.js';
import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../admin/auth.js';
import { failureText } from '../../admin/components/failure.js';
import { pageWindow } from '../../admin/resource.js';
import { powerOn } from '../../actions/scaleway/power-on.js';
import { setUserData } from '../../actions/scaleway/set-user-data.js';
import { confirmationText } from '../../core/action.js';
import { loadConfig } from '../../core/config.js';
import { HIDDEN, shownParams } from '../../core/jobs/job-view.js';
import type { ScalewayServer } from '../../entities/scaleway-server.js';
import { formInput } from '../../admin/form-input.js';
import { plural } from '../../admin/locale.js';
import { diff, redact } from '../../core/audit/recorder.js';
import { describeEntity } from '../../core/registry.js';
import { Widget } from '../fixtures/modules/widgets/module.js';

describe('login limiter', () => {
  it('blocks an email from an address after 5 failures there within the window, then forgets them', () => {
    let now = 0;
    const limiter = new LoginLimiter(undefined, () => now);
    for (let i = 0; i < 5; i++) limiter.failed('10.0.0.1', 'Bob@Example.com');
    expect(limiter.blocked('10.0.0.1', 'bob@example.com ')).toBe(true);
    expect(limiter.blocked('10.0.0.1', 'alice@example.com')).toBe(false);
    // The real Bob, elsewhere, is not locked out by someone failing on purpose.
    expect(limiter.blocked('10.0.0.2', 'bob@example.com')).toBe(false);
    now += 15 * 60_000 + 1;
    expect(limiter.blocked('10.0.0.1', 'bob@example.com')).toBe(false);
  });

  it('blocks an address after 20 failures, whatever the emails; a success there does not reset it', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 20; i++) limiter.failed('10.0.0.9', `user${i}@example.com`);
    limiter.succeeded('10.0.0.9', 'user0@example.com');
    expect(limiter.blocked('10.0.0.9', 'new@example.com')).toBe(true);
    expect(limiter.blocked('10.0.0.8', 'new@example.com')).toBe(false);
  });

  it('forgets the typos of a user who then signs in from there', () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 4; i++) limiter.failed('10.0.0.1', 'bob@example.com');
    limiter.succeeded('10.0.0.1', 'BOB@example.com');
    limiter.failed('10.0.0.1', 'bob@example.com');
    expect(limiter.blocked('10.0.0.1', 'bob@example.com')).toBe(false);
  });
});

describe('audit findings: paging, proxies, confirmations, failure text, sensitive parameters', () => {
  it('keeps a page between 1 and 500 rows from offset 0, whatever AdminJS passes on', () => {
    expect(pageWindow({ limit: -1, offset: -20 })).toEqual({ take: 1, skip: 0 });
    expect(pageWindow({ limit: 100_000, offset: 40 })).toEqual({ take: 500, skip: 40 });
    expect(pageWindow({ limit: NaN, offset: 2.5 })).toEqual({ take: 10, skip: 2 });
    expect(pageWindow({})).toEqual({ take: 10, skip: 0 });
  });

  it('reads MV_TRUST_PROXY: loopback by default, false, a hop count, or addresses and CIDRs; anything else stops the start', () => {
    const trust = (value?: string) => loadConfig({ MV_TRUST_PROXY: value }).trustProxy;
    expect(trust()).toBe('loopback');
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust(' 10.0.0.1, 192.168.0.0/16 ,::1,fd00::/8,loopback')).toBe('10.0.0.1,192.168.0.0/16,::1,fd00::/8,loopback');
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example.com', '10.0.0.1/8/1', ',']) {
      expect(() => trust(bad), bad).toThrow(/MV_TRUST_PROXY takes a hop count/);
    }
  });

  it('asks before the billable or overwriting Scaleway actions', () => {
    const server = { name: 'web-1' } as ScalewayServer;
    expect(confirmationText(powerOn, server)).toBe('Power on web-1?');
    expect(confirmationText(setUserData, server)).toBe('Set user data on web-1? An entry with the same key is replaced.');
    expect(setUserData.params?.content).toMatchObject({ sensitive: true });
  });

  it('says each cause of a failure once, and not what the message says already', () => {
    const failed = (message: string, cause?: string) => failureText('Verify', { status: 'failed', error: { code: 'provider_error', message, cause, details: undefined } });
    expect(failed('Scaleway listServers (GET /servers): no response host not found', 'AxiosError: getaddrinfo ENOTFOUND api.example.com ← Error: getaddrinfo ENOTFOUND api.example.com')).toBe(
      'Failed to execute action Verify. Failure reason: Scaleway listServers (GET /servers): no response host not found (cause: AxiosError: getaddrinfo ENOTFOUND api.example.com)',
    );
    expect(failed('getaddrinfo ENOTFOUND api.example.com', 'Error: getaddrinfo ENOTFOUND api.example.com')).toBe('Failed to execute action Verify. Failure reason: getaddrinfo ENOTFOUND api.example.com');
    expect(failed('Unexpected error: undefined is not a function', 'Error: deep cause')).toMatch(/\(cause: Error: deep cause\)$/);
  });

  it('shows sensitive parameters only as set', () => {
    const specs = { key: { type: 'string' as const }, content: { type: 'string' as const, sensitive: true }, note: { type: 'string' as const, sensitive: true } };
    expect(shownParams({ key: 'cloud-init', content: 'password: x', note: '' }, specs)).toEqual({ key: 'cloud-init', content: HIDDEN, note: '' });
    expect(shownParams({ content: 'x' }, undefined)).toEqual({ content: 'x' });
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
