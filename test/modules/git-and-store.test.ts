import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkGitUrl, checkout, checkRef, redact, resolveRelativeUrl } from '../../core/modules/git.js';
import { bundledLocations } from '../../core/modules/loader.js';
import { parseGitSource } from '../../core/modules/service.js';
import { acquireLock, locationOf, readState, removeLeftovers } from '../../core/modules/store.js';

describe('git URLs', () => {
  it('accepts https, ssh, scp-like, file and local paths', () => {
    expect(checkGitUrl('https://github.com/webdrone-fr/mv-credentials.git')).toBe('https://github.com/webdrone-fr/mv-credentials.git');
    expect(checkGitUrl('ssh://git@example.com:2222/org/mv.git')).toBe('ssh://git@example.com:2222/org/mv.git');
    expect(checkGitUrl('git@github.com:webdrone-fr/mv-credentials.git')).toBe('git@github.com:webdrone-fr/mv-credentials.git');
    expect(checkGitUrl('file:///srv/git/mv.git')).toBe('file:///srv/git/mv.git');
    expect(checkGitUrl('/srv/git/mv.git')).toBe('file:///srv/git/mv.git');
    expect(checkGitUrl('./mv.git')).toBe(pathToFileURL(path.resolve('mv.git')).href);
  });

  it('takes a relative path without "./" when it is a directory, unless git could read it otherwise', () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mv-relative-')));
    const cwd = process.cwd();
    // Each name is a directory of the current directory (forks pool: this process's own).
    for (const name of ['repos/mv.git', 'a-file', '-u', 'fd::3', 'x::y', 'example.com:mv.git']) fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.rmdirSync(path.join(dir, 'a-file'));
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    process.chdir(dir);
    try {
      expect(checkGitUrl('repos/mv.git')).toBe(pathToFileURL(path.join(dir, 'repos/mv.git')).href);
      expect(() => checkGitUrl('repos/other.git')).toThrow(/not a URL git may use, nor a local directory/);
      expect(() => checkGitUrl('a-file')).toThrow(/nor a local directory/);
      expect(() => checkGitUrl('-u')).toThrow(/starts with "-"/);
      expect(() => checkGitUrl('fd::3')).toThrow(/remote helpers/);
      expect(() => checkGitUrl('x::y')).toThrow(/remote helpers/);
      // As for git: a colon before any slash is scp-like (ssh), whatever directory has that name.
      expect(checkGitUrl('example.com:mv.git')).toBe('example.com:mv.git');
    } finally {
      process.chdir(cwd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads <url>#<ref>:<path> for dependency URLs, checking each part as --ref and --path', () => {
    const url = 'https://git.example.com/mv-infra.git';
    expect(parseGitSource(url, 'URL')).toEqual({ url });
    expect(parseGitSource(`${url}#v1.2.0`, 'URL')).toEqual({ url, ref: 'v1.2.0', path: undefined });
    expect(parseGitSource(`${url}#:credentials`, 'URL')).toEqual({ url, ref: undefined, path: 'credentials' });
    expect(parseGitSource(`${url}#feature/x:modules/dns/`, 'URL')).toEqual({ url, ref: 'feature/x', path: 'modules/dns' });
    expect(parseGitSource('git@github.com:org/mv.git#main:credentials', 'URL')).toEqual({ url: 'git@github.com:org/mv.git', ref: 'main', path: 'credentials' });
    expect(() => parseGitSource(`${url}#--upload-pack=touch%20x`, 'URL')).toThrow(/Refused ref "--upload-pack=/);
    expect(() => parseGitSource(`${url}#main:../../etc`, 'URL')).toThrow(/path must be a directory inside the repository, without ".."/);
    expect(() => parseGitSource(`${url}#:/etc`, 'URL')).toThrow(/path must be a directory inside the repository/);
    expect(() => parseGitSource('ext::sh -c x#main', 'URL of dependency a')).toThrow(/Refused URL of dependency a .*remote helpers/);
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned', /remote helpers/],
    ['fd::3', /remote helpers/],
    ['--upload-pack=touch /tmp/pwned', /starts with "-"/],
    ['-u/tmp/x', /starts with "-"/],
    ['ssh://-oProxyCommand=touch%20pwned/x', /host or user starts with "-"/],
    ['ssh://-oProxyCommand@example.com/x', /host or user starts with "-"/],
    ['http://example.com/mv.git', /the http:\/\/ transport is not allowed/],
    ['git://example.com/mv.git', /the git:\/\/ transport is not allowed/],
    ['file://otherhost/srv/mv.git', /its host is not valid/],
    ['https://example.com/a b', /spaces/],
    ['https://example.com/x\n--upload-pack=x', /control characters/],
    ['mv.git', /not a URL git may use/],
    ['host::path', /remote helpers/],
    ['', /missing/],
  ])('refuses %j', (url, why) => {
    expect(() => checkGitUrl(url)).toThrow(why);
  });

  it('refuses refs git could read as options or expressions', () => {
    expect(checkRef('v1.2.0')).toBe('v1.2.0');
    expect(checkRef('feature/x')).toBe('feature/x');
    expect(checkRef(undefined)).toBeUndefined();
    for (const ref of ['--upload-pack=x', 'a..b', 'main@{1}', 'x y', 'main.lock', '']) {
      if (ref) expect(() => checkRef(ref)).toThrow(/Refused ref/);
    }
  });

  it('resolves relative dependency URLs against the dependent, as git submodules do', () => {
    expect(resolveRelativeUrl('https://github.com/webdrone-fr/mv-infrastructure.git', '../mv-credentials.git')).toBe('https://github.com/webdrone-fr/mv-credentials.git');
    expect(resolveRelativeUrl('file:///srv/git/a.git', '../b.git')).toBe('file:///srv/git/b.git');
    expect(resolveRelativeUrl('git@github.com:org/a.git', '../b.git')).toBe('git@github.com:org/b.git');
    expect(() => resolveRelativeUrl('git@github.com:a.git', '../../b.git')).toThrow(/goes above/);
  });

  it('never prints credentials of a URL', () => {
    expect(redact('https://user:s3cret@example.com/x.git failed')).toBe('https://***@example.com/x.git failed');
    // A password may hold "@"; a token may be in the query.
    expect(redact('https://u:p@ss@example.com/r.git')).toBe('https://***@example.com/r.git');
    expect(redact('https://example.com/r.git?access_token=s3cret')).toBe('https://example.com/r.git');
    expect(redact("fatal: unable to access 'https://u:p@ss@example.com/r.git/?private_token=s3cret': 403")).toBe("fatal: unable to access 'https://***@example.com/r.git/': 403");
    expect(redact('git@github.com:org/r.git')).toBe('git@github.com:org/r.git');
  });

  it('says why a ref that looks like a commit could not be fetched', async () => {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-clone-'));
    try {
      await expect(checkout(pathToFileURL(path.join(dest, 'no-such-repo.git')).href, 'deadbeef', path.join(dest, 'checkout'))).rejects.toThrow(
        /deadbeef is neither a branch, a tag nor a commit .*: .*(does not appear to be a git repository|not a git repository)/,
      );
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
    }
  });
});

describe('the data dir', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-lock-'));
    fs.mkdirSync(path.join(dir, 'modules'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('starts with the bundled modules without a state file, unless MV_BUNDLED_MODULES=none', () => {
    const config = { dataDir: dataDir() };
    const state = readState({ ...config, bundledModules: 'all' });
    expect(state.modules.map((m) => [m.code, m.source, m.dir])).toEqual([
      ['mv-credentials', 'bundled', 'credentials'],
      ['mv-infrastructure', 'bundled', '.'],
    ]);
    expect(state.modules.map((m) => locationOf(config, m))).toEqual(bundledLocations());
    expect(readState({ ...config, bundledModules: 'none' }).modules).toEqual([]);
  });

  it('removes what a dead operation left: its staging, folders no state entry refers to', () => {
    const config = { dataDir: dataDir() };
    const used = 'installed/test-a/1.0.0-aaaa';
    for (const dir of [used, 'installed/test-a/0.9.0-dead', 'installed/test-b/1.0.0-dead', '.staging/123-456/checkout-1']) {
      fs.mkdirSync(path.join(config.dataDir, 'modules', dir), { recursive: true });
    }
    fs.writeFileSync(path.join(config.dataDir, 'modules/state.json.123.abcd.tmp'), '{}');
    removeLeftovers(config, { format: 1, modules: [{ code: 'test-a', version: '1.0.0', source: 'git', dir: used }] });
    expect(fs.readdirSync(path.join(config.dataDir, 'modules'))).toEqual(['installed']);
    expect(fs.readdirSync(path.join(config.dataDir, 'modules/installed'))).toEqual(['test-a']);
    expect(fs.readdirSync(path.join(config.dataDir, 'modules/installed/test-a'))).toEqual(['1.0.0-aaaa']);
  });

  it('lets one operation run at a time', () => {
    const config = { dataDir: dataDir() };
    const release = acquireLock(config, 'install of a');
    expect(() => acquireLock(config, 'install of b')).toThrow(/Another module operation is running \(install of a by process \d+/);
    release();
    acquireLock(config, 'install of b')();
  });

  it('takes over the lock of a process that died', async () => {
    const config = { dataDir: dataDir() };
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    fs.writeFileSync(path.join(config.dataDir, 'modules/.lock'), JSON.stringify({ pid, host: os.hostname(), operation: 'install of x', since: new Date().toISOString() }));
    acquireLock(config, 'install of y')();
    expect(fs.existsSync(path.join(config.dataDir, 'modules/.lock'))).toBe(false);
  });

  it('does not take over a dead owner’s lock that another process took over first', async () => {
    const config = { dataDir: dataDir() };
    const file = path.join(config.dataDir, 'modules/.lock');
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), operation: 'install of x', since: new Date().toISOString() }));
    // Right after we read the dead owner, another live process takes the lock over.
    const theirs = JSON.stringify({ pid: process.ppid, host: os.hostname(), operation: 'install of z', since: new Date().toISOString() }) + '\n';
    const read = fs.readFileSync;
    const spy = vi.spyOn(fs, 'readFileSync').mockImplementationOnce(((...args: Parameters<typeof read>) => {
      const text = read(...args);
      fs.writeFileSync(file, theirs);
      return text;
    }) as typeof read);
    try {
      expect(() => acquireLock(config, 'install of y')).toThrow(new RegExp(`Another module operation is running \\(install of z by process ${process.ppid}`));
    } finally {
      spy.mockRestore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe(theirs);
    expect(fs.readdirSync(path.join(config.dataDir, 'modules'))).toEqual(['.lock']);
  });

  it('leaves no lock behind when writing it fails half way (an empty lock would block every later operation)', () => {
    const config = { dataDir: dataDir() };
    // The file is created, then the process "dies" before its content is written.
    const spy = vi.spyOn(fs, 'writeFileSync').mockImplementationOnce((file) => {
      fs.closeSync(fs.openSync(file as string, 'wx'));
      throw new Error('killed while writing');
    });
    try {
      expect(() => acquireLock(config, 'install of a')).toThrow('killed while writing');
    } finally {
      spy.mockRestore();
    }
    acquireLock(config, 'install of b')();
    expect(fs.readdirSync(path.join(config.dataDir, 'modules'))).toEqual([]);
  });
});
