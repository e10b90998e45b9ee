import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MvError } from './errors.js';

/**
 * AES-256-GCM for secrets at rest. A stored value reads `mvenc:v1:<iv>:<tag>:<ciphertext>` (base64url),
 * and is bound to its field name (additional data), so a ciphertext copied into another field fails.
 */
const PREFIX = 'mvenc:v1:';
const KEY_FILE = 'master.key';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new MvError('invalid_request', 'The master key must be 32 bytes');
    return new SecretBox(key);
  }

  /**
   * The key comes from MV_MASTER_KEY (32 bytes as base64 or hex), or from `<dataDir>/master.key`,
   * generated with mode 0600 on first use.
   */
  static load(options: { masterKey?: string; dataDir: string }): SecretBox {
    if (options.masterKey) return SecretBox.fromKey(parseKey(options.masterKey));
    const file = path.join(options.dataDir, KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(options.dataDir, { recursive: true });
      try {
        fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (error) {
        // Another process created it first: use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return SecretBox.fromKey(parseKey(fs.readFileSync(file, 'utf8').trim(), file));
  }

  /** A key for another purpose (e.g. signing session cookies), derived from the master key: stable, and never the key itself. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), purpose, 32));
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  seal(plain: string, field: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(field));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join(':');
  }

  open(sealed: string, field: string): string {
    const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split(':') : [];
    if (parts.length !== 3) throw new MvError('internal', `The stored value of ${field} is not an encrypted secret`);
    const [iv, tag, data] = parts.map((p) => Buffer.from(p, 'base64url'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(field));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    } catch {
      throw new MvError(
        'internal',
        `Cannot decrypt ${field}: the master key (MV_MASTER_KEY or the data dir's master.key) is not the one it was encrypted with, or the value is corrupted`,
      );
    }
  }
}

function parseKey(raw: string, source = 'MV_MASTER_KEY'): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new MvError('invalid_request', `${source} must hold 32 bytes, base64 or hex encoded (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}
