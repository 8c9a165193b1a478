import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { PiiMaskingError } from './errors.ts';

/** One token of a conversation: `[EMAIL:002]` ↔ `ada@example.com`. */
export const VaultEntrySchema = z.object({ token: z.string().min(1), type: z.string().min(1), value: z.string() });
export const VaultStateSchema = z.object({ version: z.literal(1), entries: z.array(VaultEntrySchema) });
export type VaultEntry = z.infer<typeof VaultEntrySchema>;
export type VaultState = z.infer<typeof VaultStateSchema>;

/** Where a conversation's token map lives between turns and across restarts. No size cap. */
export interface TokenVault {
  load(conversationId: string): Promise<VaultState>;
  save(conversationId: string, state: VaultState): Promise<void>;
  delete(conversationId: string): Promise<void>;
}

export const emptyVaultState = (): VaultState => ({ version: 1, entries: [] });

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a key derived by HKDF-SHA256 from the configured string; the conversation id is bound as AAD. */
export class VaultCipher {
  readonly #key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new PiiMaskingError('LOOM_VAULT_KEY must be at least 32 characters');
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'loom/token-vault', 'aes-256-gcm/v1', 32));
  }

  seal(state: VaultState, conversationId: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(conversationId, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
  }

  open(blob: Buffer, conversationId: string): VaultState {
    try {
      if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT) throw new Error('unknown vault format');
      const iv = blob.subarray(1, 1 + IV_BYTES);
      const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
      decipher.setAAD(Buffer.from(conversationId, 'utf8'));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
      return VaultStateSchema.parse(JSON.parse(plain.toString('utf8')));
    } catch (error) {
      throw new PiiMaskingError(
        'Token vault entry cannot be decrypted or is invalid (wrong LOOM_VAULT_KEY or tampering)',
        {
          cause: error,
        },
      );
    }
  }
}

/** Storage names never reveal the conversation id. */
const storageName = (conversationId: string): string => createHash('sha256').update(conversationId).digest('hex');

// Entries are never mutated once issued, so a shallow copy of the list is a safe snapshot.
const clone = (state: VaultState): VaultState => ({ version: 1, entries: state.entries.slice() });

/** In-process vault for tests and the CLI. */
export class MemoryTokenVault implements TokenVault {
  readonly #states = new Map<string, VaultState>();

  async load(conversationId: string): Promise<VaultState> {
    const state = this.#states.get(conversationId);
    return state ? clone(state) : emptyVaultState();
  }

  async save(conversationId: string, state: VaultState): Promise<void> {
    if (state.version !== 1 || !Array.isArray(state.entries)) throw new PiiMaskingError('Invalid token vault state');
    this.#states.set(conversationId, clone(state));
  }

  async delete(conversationId: string): Promise<void> {
    this.#states.delete(conversationId);
  }
}

/** Embedded mode: one encrypted file per conversation, written atomically (temp file + rename). */
export class FileTokenVault implements TokenVault {
  readonly #dir: string;
  readonly #cipher: VaultCipher;

  constructor(dir: string, key: string) {
    this.#dir = dir;
    this.#cipher = new VaultCipher(key);
  }

  #path(conversationId: string): string {
    return join(this.#dir, `${storageName(conversationId)}.vault`);
  }

  async load(conversationId: string): Promise<VaultState> {
    let blob: Buffer;
    try {
      blob = await readFile(this.#path(conversationId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyVaultState();
      throw new PiiMaskingError('Token vault file cannot be read', { cause: error });
    }
    return this.#cipher.open(blob, conversationId);
  }

  async save(conversationId: string, state: VaultState): Promise<void> {
    const path = this.#path(conversationId);
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, this.#cipher.seal(VaultStateSchema.parse(state), conversationId), { mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      throw new PiiMaskingError('Token vault file cannot be written', { cause: error });
    }
  }

  async delete(conversationId: string): Promise<void> {
    await rm(this.#path(conversationId), { force: true });
  }
}

export type VaultRedis = Pick<Redis, 'getexBuffer' | 'set' | 'del'>;

/** Scaled mode: one encrypted value per conversation; every read and write renews the TTL (resumable window). */
export class RedisTokenVault implements TokenVault {
  readonly #redis: VaultRedis;
  readonly #cipher: VaultCipher;
  readonly #ttlSeconds: number;
  readonly #prefix: string;

  constructor(redis: VaultRedis, key: string, ttlSeconds: number, options: { prefix?: string } = {}) {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new PiiMaskingError('Vault TTL must be a positive integer');
    this.#redis = redis;
    this.#cipher = new VaultCipher(key);
    this.#ttlSeconds = ttlSeconds;
    this.#prefix = options.prefix ?? 'loom';
  }

  #key(conversationId: string): string {
    return `${this.#prefix}:pii-vault:${storageName(conversationId)}`;
  }

  async load(conversationId: string): Promise<VaultState> {
    let blob: Buffer | null;
    try {
      blob = await this.#redis.getexBuffer(this.#key(conversationId), 'EX', this.#ttlSeconds);
    } catch (error) {
      throw new PiiMaskingError('Token vault cannot be read from Redis', { cause: error });
    }
    return blob === null ? emptyVaultState() : this.#cipher.open(blob, conversationId);
  }

  async save(conversationId: string, state: VaultState): Promise<void> {
    const blob = this.#cipher.seal(VaultStateSchema.parse(state), conversationId);
    try {
      await this.#redis.set(this.#key(conversationId), blob, 'EX', this.#ttlSeconds);
    } catch (error) {
      throw new PiiMaskingError('Token vault cannot be written to Redis', { cause: error });
    }
  }

  async delete(conversationId: string): Promise<void> {
    await this.#redis.del(this.#key(conversationId));
  }
}
