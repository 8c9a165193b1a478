import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { z } from 'zod';

const TSX = ['--import', 'tsx'];

/** Forks a TypeScript module of this folder as its own Node process (tsx loader, IPC channel). `undefined` unsets a variable. */
export function forkChild(
  module: string,
  options: { env?: NodeJS.ProcessEnv; execArgv?: string[] } = {},
): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  // The children always run from the TypeScript sources (tsx), also when the bench itself runs from the build in dist/.
  const source = new URL(
    module,
    import.meta.url.replace(/\/dist\/bench\/e2e\/[^/]+\.js$/, '/src/bench/e2e/processes.ts'),
  );
  return fork(source, [], {
    execArgv: [...TSX, ...(options.execArgv ?? [])],
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** Waits for the first IPC message that parses with `schema`; fails on exit or timeout (with the child's stderr). */
export function nextMessage<T>(child: ChildProcess, schema: z.ZodType<T>, timeoutMs: number, what: string): Promise<T> {
  let stderr = '';
  const onData = (chunk: Buffer): void => void (stderr = (stderr + chunk.toString()).slice(-4000));
  child.stderr?.on('data', onData);
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.stderr?.off('data', onData);
    };
    const onMessage = (message: unknown): void => {
      const parsed = schema.safeParse(message);
      if (!parsed.success) return;
      done();
      resolve(parsed.data);
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`${what}: the process exited (${code}) before it was ready\n${stderr}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: not ready after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Stops a child we started: IPC disconnect first (it exits on its own), SIGKILL if it lingers. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A free loopback port (for redis-server, which cannot pick its own and report it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** A throwaway redis-server (no persistence) on a free loopback port; resolves once it accepts connections. */
export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
    child.once('error', (error) =>
      reject(new Error(`redis-server could not be started: ${error.message}`, { cause: error })),
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
