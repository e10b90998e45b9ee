import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { MvError } from '../errors.js';

const run = promisify(execFile);

/**
 * Git, safely: the system `git` run with an argument list (never a shell), `--` before every URL, only
 * the https, ssh and file transports (GIT_ALLOW_PROTOCOL, on top of our own allow-list), and never a
 * prompt for a password.
 */
const ALLOWED_PROTOCOLS = 'file:https:ssh';
const CLONE_TIMEOUT_MS = 5 * 60_000;

function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND || 'ssh -o BatchMode=yes',
  };
}

async function git(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run('git', ['-c', 'protocol.ext.allow=never', '-c', 'protocol.fd.allow=never', ...args], {
      cwd,
      env: gitEnv(),
      timeout: CLONE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    if (failure.code === 'ENOENT') throw new MvError('precondition_failed', 'git is not installed on this host (modules are installed with the system git)');
    const detail = failure.killed ? `timed out after ${CLONE_TIMEOUT_MS / 1000} s` : gitMessage(failure.stderr || failure.message);
    throw new MvError('precondition_failed', redact(detail));
  }
}

/** git's own error lines (the advice around them says nothing of the cause), the last three. */
function gitMessage(output: string): string {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const errors = lines.filter((line) => /^(fatal|error):/.test(line));
  return (errors.length ? errors : lines).slice(-3).join(' ');
}

const REMOTE_HELPER = /^[A-Za-z][A-Za-z0-9+.-]*::/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
const SCP_LIKE = /^(?:[A-Za-z0-9._~+-]+@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:.]+\]):(?![:/])\S+$/;

/**
 * The URL to hand to git, or a refusal: `https://`, `ssh://`, scp-like `user@host:path`, `file://`, and
 * local paths (absolute, `./`, `../`, or a relative one naming an existing directory; made into file://
 * URLs so that shallow clones work). Everything else is refused, in particular remote helpers (`ext::`,
 * `fd::`) and anything git could read as an option.
 */
export function checkGitUrl(raw: unknown, what = 'git URL'): string {
  if (typeof raw !== 'string' || !raw.trim()) throw new MvError('invalid_request', `The ${what} is missing`);
  const url = raw.trim();
  const refuse = (why: string) => new MvError('invalid_request', `Refused ${what} ${JSON.stringify(redact(url))}: ${why}. Use https://, ssh://, user@host:path, file:// or a local path.`);
  if (url.startsWith('-')) throw refuse('it starts with "-" and could be read as an option');
  if (/[\x00-\x1f\x7f]/.test(url)) throw refuse('it contains control characters');
  if (REMOTE_HELPER.test(url)) throw refuse('remote helpers (transport::address, such as ext:: or fd::) can run commands');
  if (url.startsWith('/') || url.startsWith('./') || url.startsWith('../')) return pathToFileURL(path.resolve(url)).href;
  const scheme = SCHEME.exec(url)?.[1].toLowerCase();
  if (scheme) {
    if (!['https', 'ssh', 'file'].includes(scheme)) throw refuse(`the ${scheme}:// transport is not allowed`);
    if (/\s/.test(url)) throw refuse('it contains spaces');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refuse('it is not a valid URL');
    }
    if (scheme === 'file' ? parsed.hostname !== '' && parsed.hostname !== 'localhost' : !parsed.hostname) throw refuse('its host is not valid');
    if (parsed.hostname.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-')) throw refuse('its host or user starts with "-" and could be read as an option');
    return url;
  }
  if (SCP_LIKE.test(url) && !url.split(':')[1].startsWith('-')) return url;
  // Last, as git does: `host:path` is scp-like even when a directory has that name.
  if (fs.statSync(url, { throwIfNoEntry: false })?.isDirectory()) return pathToFileURL(path.resolve(url)).href;
  throw refuse('it is not a URL git may use, nor a local directory');
}

/** A branch, tag or commit: nothing git could read as an option or a revision expression. */
export function checkRef(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*\/\/)[A-Za-z0-9._/+-]{1,200}$/.test(raw) || raw.endsWith('/') || raw.endsWith('.lock')) {
    throw new MvError('invalid_request', `Refused ref ${JSON.stringify(raw)}: a branch, tag or commit is letters, digits and . _ / + -, not starting with "-"`);
  }
  return raw;
}

/** A dependency's relative gitUrl (`../mv-credentials.git`) against its dependent's URL, as git submodules do. */
export function resolveRelativeUrl(base: string, relative: string): string {
  if (SCHEME.test(base)) return new URL(relative, base.replace(/\/*$/, '/')).href;
  const colon = base.indexOf(':');
  const joined = path.posix.normalize(path.posix.join(base.slice(colon + 1), relative));
  if (joined.startsWith('..')) throw new MvError('invalid_request', `${relative} goes above the repository ${redact(base)}`);
  return `${base.slice(0, colon)}:${joined}`;
}

/** A URL, or a text with URLs in it (git's messages), without the user, password or query tokens they may carry. */
export function redact(text: string): string {
  return text.replace(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s'"]+/g, redactUrl);
}

function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Not parsable: hide everything up to the last "@" of the authority (a password may hold "@").
    return raw.replace(/\/\/[^/]*@/, '//***@');
  }
  if (url.username || url.password) {
    url.username = '***';
    url.password = '';
  }
  url.search = '';
  return url.href;
}

const HEX = /^[0-9a-f]{7,40}$/i;

/** A shallow clone of `ref` (branch or tag; a commit is fetched by its hash) into `dest`; returns the commit. */
export async function checkout(url: string, ref: string | undefined, dest: string): Promise<string> {
  try {
    await git(['clone', '--quiet', '--depth', '1', ...(ref ? ['--branch', ref] : []), '--', url, dest]);
  } catch (error) {
    if (!ref || !HEX.test(ref)) throw error;
    fs.rmSync(dest, { recursive: true, force: true });
    // The clone failed for a reason of its own (network, rights, no such repository) as often as for the ref: say git's.
    await checkoutCommit(url, ref, dest).catch((cause: Error) => {
      throw new MvError('precondition_failed', `${ref} is neither a branch, a tag nor a commit git could fetch from ${redact(url)}: ${cause.message}`);
    });
  }
  return git(['rev-parse', 'HEAD'], dest);
}

async function checkoutCommit(url: string, commit: string, dest: string): Promise<void> {
  fs.mkdirSync(dest, { recursive: true });
  await git(['init', '--quiet'], dest);
  if (commit.length === 40) {
    await git(['fetch', '--quiet', '--depth', '1', '--', url, commit], dest);
    await git(['checkout', '--quiet', '--detach', 'FETCH_HEAD', '--'], dest);
    return;
  }
  // An abbreviated hash cannot be fetched by itself: fetch everything and look for it.
  await git(['fetch', '--quiet', '--', url, '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], dest);
  await git(['checkout', '--quiet', '--detach', commit, '--'], dest);
}
