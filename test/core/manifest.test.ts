import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, readManifest } from '../../core/manifest.js';

const valid = {
  code: 'mv-example',
  description: 'An example',
  license: 'GPL-3.0-or-later',
  currentVersion: '1.2.3',
  moduleDependencies: [{ code: 'mv-credentials', currentVersion: '^1.0.0', gitUrl: 'https://example.com/creds.git', gitBranch: 'main' }],
  entryPoint: 'module.ts',
};

function write(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-manifest-'));
  const file = path.join(dir, 'module.json');
  fs.writeFileSync(file, content);
  return file;
}

function problem(raw: unknown): string {
  try {
    parseManifest(raw, 'x/module.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the manifest was accepted');
}

describe('module.json validation', () => {
  it('accepts the two bundled manifests', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    expect(readManifest(path.join(root, 'module.json')).code).toBe('mv-infrastructure');
    const credentials = readManifest(path.join(root, 'credentials/module.json'));
    expect(credentials.code).toBe('mv-credentials');
    expect(credentials.moduleDependencies).toEqual([]);
  });

  it('names the file when the JSON is broken', () => {
    const file = write('{"code": "mv-x",');
    expect(() => readManifest(file)).toThrow(`${file}: not valid JSON`);
  });

  it('names the missing field and what is expected', () => {
    const { license: _, ...withoutLicense } = valid;
    expect(problem(withoutLicense)).toBe('x/module.json: invalid module manifest — license: is required');
    const { entryPoint: _entry, ...withoutEntry } = valid;
    expect(problem({ ...withoutEntry, license: 7 })).toBe('x/module.json: invalid module manifest — license: must be a licence name such as GPL-3.0-or-later; entryPoint: is required');
  });

  it('refuses a version that is not semver, and a dependency range that is not a range', () => {
    expect(problem({ ...valid, currentVersion: '1.31' })).toContain('currentVersion: must be a semantic version such as 1.2.0, got "1.31"');
    const badRange = { ...valid, moduleDependencies: [{ ...valid.moduleDependencies[0], currentVersion: 'latest!' }] };
    expect(problem(badRange)).toContain('moduleDependencies[0].currentVersion: must be a semantic version range');
  });

  it('refuses unknown fields, bad codes, escaping paths and self-dependencies', () => {
    expect(problem({ ...valid, colour: 'blue' })).toContain('colour: unknown field');
    expect(problem({ ...valid, code: 'Not A Code' })).toContain('code: must be a module code in kebab-case');
    expect(problem({ ...valid, entryPoint: '../outside.ts' })).toContain('entryPoint: must be a relative path inside the module');
    const dependencyPath = { ...valid, moduleDependencies: [{ code: 'mv-credentials', currentVersion: '^1.0.0', path: '/etc' }] };
    expect(problem(dependencyPath)).toContain('moduleDependencies[0].path: must be a relative path');
    expect(problem({ ...valid, moduleDependencies: [{ code: 'mv-example', currentVersion: '*' }] })).toContain('cannot depend on itself');
  });

  it('reports every problem at once', () => {
    const message = problem({ code: 'mv-x', currentVersion: 'one', entryPoint: 'module.ts' });
    expect(message).toContain('description:');
    expect(message).toContain('license:');
    expect(message).toContain('currentVersion:');
  });

  it('accepts the Meveo descriptor fields it does not use', () => {
    expect(parseManifest({ ...valid, isInDraft: true, moduleFiles: [], logoPicture: 'logo.png' }, 'm.json').code).toBe('mv-example');
  });
});
