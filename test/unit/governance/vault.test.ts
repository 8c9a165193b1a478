import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileTokenVault,
  MemoryTokenVault,
  PiiMasker,
  PiiMaskingError,
  RedisTokenVault,
} from '../../../src/governance/pii/index.ts';
import type { TokenVault, VaultState } from '../../../src/governance/pii/index.ts';

const KEY = 'k'.repeat(16) + 'an-example-vault-key-for-tests';
const OTHER_KEY = 'o'.repeat(16) + 'another-vault-key-for-the-tests';
const SECRET = '078-05-1120';

const sample = (): VaultState => ({ version: 1, entries: [{ token: '[SSN:001]', type: 'SSN', value: SECRET }] });

/** The contract every vault implementation meets; `reopen` models a process restart over the same storage. */
function contract(name: string, make: () => TokenVault, reopen: (vault: TokenVault) => TokenVault = make): void {
  describe(`${name} contract`, () => {
    it('returns an empty state for an unknown conversation, then what was saved, until deleted', async () => {
      const vault = make();
      expect(await vault.load('c-1')).toEqual({ version: 1, entries: [] });
      await vault.save('c-1', sample());
      expect(await vault.load('c-1')).toEqual(sample());
      expect(await vault.load('c-2')).toEqual({ version: 1, entries: [] });
      await vault.delete('c-1');
      expect(await vault.load('c-1')).toEqual({ version: 1, entries: [] });
    });

    it('has no size cap', async () => {
      const vault = make();
      const big: VaultState = {
        version: 1,
        entries: [{ token: '[NOTE:001]', type: 'NOTE', value: 'x'.repeat(300_000) }],
      };
      for (let i = 2; i <= 2_000; i++)
        big.entries.push({ token: `[EMAIL:${String(i).padStart(3, '0')}]`, type: 'EMAIL', value: `u${i}@example.com` });
      await vault.save('big', big);
      expect(await vault.load('big')).toEqual(big);
    });

    it('lets a new masker restore tokens issued before a restart', async () => {
      const vault = make();
      const before = new PiiMasker({ mode: 'pattern', vault, conversationId: 'resume' });
      const { masked } = await before.mask(`SSN ${SECRET}, mail ada@example.com`);
      const after = new PiiMasker({ mode: 'pattern', vault: reopen(vault), conversationId: 'resume' });
      expect(await after.restore(masked)).toBe(`SSN ${SECRET}, mail ada@example.com`);
      expect((await after.mask('ada@example.com')).masked).toBe('[EMAIL:001]');
    });
  });
}

contract(
  'MemoryTokenVault',
  () => new MemoryTokenVault(),
  (vault) => vault,
);

describe('FileTokenVault', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loom-vault-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  contract('FileTokenVault', () => new FileTokenVault(dir, KEY));

  it('persists across instances and keeps values encrypted at rest, with no conversation id in the file name', async () => {
    await new FileTokenVault(dir, KEY).save('conversation-secret-id', sample());
    expect(await new FileTokenVault(dir, KEY).load('conversation-secret-id')).toEqual(sample());
    const files = await readdir(dir);
    expect(files.some((file) => file.includes('conversation-secret-id'))).toBe(false);
    for (const file of files) {
      const raw = await readFile(join(dir, file));
      expect(raw.includes(Buffer.from(SECRET))).toBe(false);
      // The token and the type as stored, not a bare 'SSN': three letters can occur in ciphertext by chance.
      expect(raw.includes(Buffer.from('[SSN:001]'))).toBe(false);
      expect(raw.includes(Buffer.from('"type":"SSN"'))).toBe(false);
    }
    expect(files.every((file) => !file.endsWith('.tmp'))).toBe(true);
  });

  it('fails closed with the wrong key or a tampered file', async () => {
    const own = join(dir, 'tamper');
    await new FileTokenVault(own, KEY).save('tamper', sample());
    await expect(new FileTokenVault(own, OTHER_KEY).load('tamper')).rejects.toBeInstanceOf(PiiMaskingError);
    const [name] = await readdir(own);
    const path = join(own, name as string);
    const raw = await readFile(path);
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0xff;
    await writeFile(path, raw);
    await expect(new FileTokenVault(own, KEY).load('tamper')).rejects.toBeInstanceOf(PiiMaskingError);
  });

  it('rejects a short key', () => {
    expect(() => new FileTokenVault(dir, 'short')).toThrow(PiiMaskingError);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

describe('RedisTokenVault (real redis-server)', () => {
  let server: ChildProcess;
  let redis: Redis;

  beforeAll(async () => {
    const port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    redis = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: (n) => (n > 50 ? null : 50),
    });
    redis.on('error', () => undefined); // connection refused while redis-server starts; the loop below retries
    for (let attempt = 0; ; attempt++) {
      try {
        await redis.connect();
        await redis.ping();
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        redis.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  afterAll(async () => {
    redis?.disconnect();
    server?.kill('SIGTERM');
  });

  contract('RedisTokenVault', () => new RedisTokenVault(redis, KEY, 3600, { prefix: `t${process.pid}` }));

  it('stores ciphertext with a TTL under a hashed key', async () => {
    const vault = new RedisTokenVault(redis, KEY, 120, { prefix: 'ttl' });
    await vault.save('conversation-secret-id', sample());
    const keys = await redis.keys('ttl:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('conversation-secret-id');
    const raw = await redis.getBuffer(keys[0] as string);
    expect(raw?.includes(Buffer.from(SECRET))).toBe(false);
    const ttl = await redis.ttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(
      await new RedisTokenVault(redis, OTHER_KEY, 120, { prefix: 'ttl' })
        .load('conversation-secret-id')
        .catch((e: unknown) => e),
    ).toBeInstanceOf(PiiMaskingError);
  });

  it('fails closed when Redis is unreachable', async () => {
    const dead = new Redis({
      host: '127.0.0.1',
      port: await freePort(),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    dead.on('error', () => undefined);
    const vault = new RedisTokenVault(dead, KEY, 60);
    await expect(vault.load('x')).rejects.toBeInstanceOf(PiiMaskingError);
    dead.disconnect();
  });
});
