/**
 * A real redis-server per test file: random free port on 127.0.0.1, no persistence unless asked (AOF for restart
 * tests), unique key prefixes per test, and cleanup that kills only the process it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisHandle {
  url: string;
  port: number;
  /** A fresh client (closed by `stop`). */
  client(): Redis;
  /** Kills the server (SIGKILL when `crash`), keeping its data dir for `restart`. */
  stop(options?: { crash?: boolean }): Promise<void>;
  /** Starts the server again on the same port and data dir (with AOF, data survives). */
  restart(): Promise<void>;
  /** Stops the server and removes its data dir. */
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, process: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`redis-server exited with ${process.exitCode}`);
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined); // refused until the server listens
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('redis-server did not answer PING within 10 s');
}

export async function startRedis(options: { appendOnly?: boolean } = {}): Promise<RedisHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'loom-redis-'));
  const clients: Redis[] = [];
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--dir',
      dir,
      '--appendonly',
      options.appendOnly ? 'yes' : 'no',
      '--daemonize',
      'no',
    ];
    if (options.appendOnly) args.push('--appendfsync', 'always');
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(port, child);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    client() {
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
      clients.push(client);
      return client;
    },
    stop: (opts = {}) => kill(opts.crash ? 'SIGKILL' : 'SIGTERM'),
    restart: launch,
    async cleanup() {
      for (const client of clients.splice(0)) client.disconnect();
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key prefix no other test uses (BullMQ forbids ':' in it only inside job IDs, not here). */
export function uniquePrefix(label = 'test'): string {
  return `loom-${label}-${randomBytes(4).toString('hex')}`;
}
