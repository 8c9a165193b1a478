/**
 * The chaos cluster: the emulator in its own process, a real redis-server with AOF, N scaled-mode worker processes that
 * are restarted whenever they die, a seeded SIGKILL scheduler, fault injection through the emulator's admin surface,
 * turn publishing as real users, and the final accounting (lost, duplicated, side effects run twice).
 * Every child is forked with an IPC channel and exits when its parent goes away, so nothing is orphaned.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../src/logger.ts';
import { startTurn } from '../../../src/runtime/start-turn.ts';
import { ApiMeter } from '../../../src/salesforce/api-meter.ts';
import { SalesforceClient } from '../../../src/salesforce/rest-client.ts';
import { SessionPool } from '../../../src/salesforce/session-pool.ts';
import { startRedis, uniquePrefix, type RedisHandle } from '../redis.ts';
import { mulberry32, type EmulatorReady, type WorkerArgs, type WorkerStats } from './protocol.ts';

const CHILDREN = new URL('./children/', import.meta.url);
const live = new Set<ChildProcess>();
// Last line of defence: a test process that exits for any reason takes its children with it.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** `env` extras go to the child's environment (never argv: process lists show argv, and worker args hold a key). */
function forkTs(script: string, env: Record<string, string> = {}): ChildProcess {
  const child = fork(fileURLToPath(new URL(script, CHILDREN)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.stderr?.on('data', () => undefined);
  return child;
}

function nextMessage<T>(child: ChildProcess, type: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not send "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`child exited (${code ?? signal}) before "${type}"`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface ChaosOptions {
  seed: number;
  workers: number;
  kill: WorkerArgs['kill'];
}

export interface PublishedTurn {
  executionId: string;
  turnId: string;
  message: string;
  /** True for turns whose tool creates a Task (the side effect checked for repeats). */
  sideEffect: boolean;
  /** Who published it: the turn's requesting user. */
  username: string;
}

export interface Accounting {
  turns: number;
  answered: number;
  lost: string[];
  /** Turns with more than one outbound answer, AgentResponse or repeated step sequence. */
  duplicated: string[];
  /** Side-effect turns whose Task was created more than once. */
  sideEffectsRepeated: string[];
  stepKeysUnique: boolean;
  /** Dead-letter entries (reason and detail) of lost turns: why they were given up on. */
  lostReasons: string[];
  /**
   * Side-effect turns the ledger refused to repeat (`SideEffectUncertain`: an attempt died or failed mid-call, so the
   * Task may or may not exist and a person must check). Answered, never run twice, but not done either.
   */
  uncertain: string[];
  /** Turns answered with something other than their expected result or the uncertain-side-effect answer. */
  wrongAnswers: string[];
  /**
   * Identity breaches: a Task not created by the user who asked for it, an audit write not made by the worker, a
   * business write made with the worker's token, or a request made with a token that belongs to someone else.
   */
  identityViolations: string[];
}

/** The answer each kind of chaos turn must end with. */
const EXPECTED_ANSWER = { sideEffect: /^Logged task /, read: /^I found \d+ matching application/ };
const UNCERTAIN_ANSWER = 'The task could not be logged.';
/** PII a user pastes into read turns: masking must keep it out of model requests, logs and audit records. */
const PASTED_PII = 'Customer mail pasted.customer@example.org, SSN 536-22-1234.';

export class ChaosCluster {
  readonly random: () => number;
  emulator!: EmulatorReady;
  redis!: RedisHandle;
  readonly prefix = uniquePrefix('chaos');
  readonly dir = mkdtempSync(join(tmpdir(), 'loom-chaos-'));
  readonly killFile = join(this.dir, 'kills.jsonl');
  readonly logFile = join(this.dir, 'worker-logs.jsonl');
  readonly modelFile = join(this.dir, 'model-requests.jsonl');
  readonly published: PublishedTurn[] = [];
  readonly stats = new Map<number, WorkerStats[]>();
  faultsInjected = 0;
  schedulerKills = 0;
  restarts = 0;
  private emulatorChild?: ChildProcess;
  private readonly workers = new Map<number, ChildProcess>();
  private spawns = 0;
  private lookups = 0;
  private stopping = false;
  private pool!: SessionPool;
  private readonly clients = new Map<string, SalesforceClient>();

  constructor(readonly options: ChaosOptions) {
    this.random = mulberry32(options.seed);
  }

  async start(): Promise<void> {
    const child = forkTs('emulator-child.ts');
    this.emulatorChild = child;
    const [ready, redis] = await Promise.all([
      nextMessage<EmulatorReady>(child, 'ready'),
      startRedis({ appendOnly: true }),
    ]);
    this.emulator = ready;
    this.redis = redis;
    this.pool = new SessionPool({
      loginUrl: ready.url,
      clientId: ready.consumerKey,
      privateKeyPem: ready.privateKeyPem,
      logger: silentLogger(),
    });
    await Promise.all(Array.from({ length: this.options.workers }, (_, index) => this.startWorker(index)));
  }

  client(username: string): SalesforceClient {
    let client = this.clients.get(username);
    if (!client) {
      client = new SalesforceClient(username, {
        pool: this.pool,
        apiVersion: '62.0',
        meter: new ApiMeter(),
        logger: silentLogger(),
      });
      this.clients.set(username, client);
    }
    return client;
  }

  async startWorker(index: number): Promise<void> {
    this.spawns += 1;
    const args: WorkerArgs = {
      index,
      seed: this.options.seed * 1000 + this.spawns,
      url: this.emulator.url,
      pubsubUrl: this.emulator.pubsubUrl,
      consumerKey: this.emulator.consumerKey,
      privateKeyPem: this.emulator.privateKeyPem,
      redisUrl: this.redis.url,
      prefix: this.prefix,
      killFile: this.killFile,
      logFile: this.logFile,
      modelFile: this.modelFile,
      kill: this.options.kill,
    };
    const child = forkTs('worker-child.ts', { LOOM_CHAOS_WORKER_ARGS: JSON.stringify(args) });
    this.workers.set(index, child);
    child.on('message', (message: WorkerStats) => {
      if (message?.type !== 'stats') return;
      const list = this.stats.get(index) ?? [];
      list.push(message);
      // Bounded, but the whole run stays covered (the soak compares its early samples with its last ones).
      if (list.length > 2_000) list.splice(0, list.length, ...list.filter((_, i) => i % 2 === 0));
      this.stats.set(index, list);
    });
    child.once('exit', () => {
      if (this.workers.get(index) !== child || this.stopping) return;
      this.workers.delete(index);
      this.restarts += 1;
      // Restarted like a process supervisor would; a failed restart is retried by the next exit or the test's deadline.
      setTimeout(() => void this.startWorker(index).catch(() => undefined), 200).unref();
    });
    await nextMessage(child, 'ready');
  }

  /** SIGKILLs one random live worker (the supervisor restarts it). */
  killRandomWorker(): void {
    const live = [...this.workers.values()].filter((child) => child.exitCode === null && child.signalCode === null);
    // Like a real outage, not a total one: while a worker is still restarting, the others are left alone.
    if (live.length < this.options.workers) return;
    const victim = live[Math.floor(this.random() * live.length)];
    if (!victim) return;
    this.schedulerKills += 1;
    victim.kill('SIGKILL');
  }

  /** Kills a random worker every `everyMs` (jittered) until the returned stop function is called. */
  scheduleKills(everyMs: number, maxKills = Number.POSITIVE_INFINITY): () => void {
    let timer: NodeJS.Timeout | undefined;
    let kills = 0;
    const tick = () => {
      if (kills >= maxKills) return;
      const before = this.schedulerKills;
      this.killRandomWorker();
      kills += this.schedulerKills - before;
      timer = setTimeout(tick, everyMs / 2 + this.random() * everyMs);
    };
    timer = setTimeout(tick, everyMs);
    return () => clearTimeout(timer);
  }

  selfKills(): number {
    return existsSync(this.killFile) ? readFileSync(this.killFile, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  /** Calls the emulator's admin surface (`/__emulator/...`). */
  async admin(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.emulator.url}/__emulator${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** Gives the org a fresh daily allocation (exhausting spends it all; the limit must rise above what was used). */
  async restoreAllocation(): Promise<void> {
    const usage = (await this.admin('GET', '/usage')) as { used: number };
    await this.admin('POST', '/api-limit', { limit: usage.used + 1_000_000_000 });
  }

  async fault(path: string, body: unknown = {}): Promise<void> {
    this.faultsInjected += 1;
    await this.admin('POST', path, body);
  }

  /** Publishes one turn as `username` (like AgentTurnService). Faults must be off while publishing. */
  async publish(username: string, index: number): Promise<PublishedTurn> {
    const sideEffect = index % 2 === 0;
    const message = sideEffect
      ? `chaos task ${this.prefix} ${index}`
      : `Which open applications do we have? ${PASTED_PII}`;
    const agentId = sideEffect ? this.emulator.chaosAgentId : this.emulator.lendingAgentId;
    const started = await startTurn(this.client(username), { agentId, message });
    const turn = { executionId: started.executionId, turnId: started.turnId, message, sideEffect, username };
    this.published.push(turn);
    return turn;
  }

  private async records(type: string): Promise<Array<Record<string, unknown>>> {
    return (await this.admin('GET', `/records/${type}`)) as Array<Record<string, unknown>>;
  }

  /** Turns of `turns` that do not have an outbound answer yet (asked of the emulator process over IPC). */
  async unanswered(turns: PublishedTurn[] = this.published): Promise<PublishedTurn[]> {
    const child = this.emulatorChild as ChildProcess;
    const id = ++this.lookups;
    const keys = turns.map((turn) => `${turn.executionId}|${turn.turnId}`);
    const reply = new Promise<{ missing: string[] }>((resolve, reject) => {
      const onExit = () => reject(new Error('the emulator process exited'));
      const onMessage = (message: { type?: string; id?: number; missing?: string[] }) => {
        if (message?.type !== 'unanswered-result' || message.id !== id) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve({ missing: message.missing ?? [] });
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.send({ type: 'unanswered', id, keys });
    const missing = new Set((await reply).missing);
    return turns.filter((turn) => missing.has(`${turn.executionId}|${turn.turnId}`));
  }

  async waitForAnswers(turns: PublishedTurn[], timeoutMs: number): Promise<PublishedTurn[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = await this.unanswered(turns);
      if (missing.length === 0 || Date.now() > deadline) return missing;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The final accounting over everything published. */
  async account(): Promise<Accounting> {
    const [messages, steps, tasks, executions] = await Promise.all([
      this.records('InteractionMessage__c'),
      this.records('ExecutionStep__c'),
      this.records('Task'),
      this.records('AgentExecution__c'),
    ]);
    const byTurn = (rows: Array<Record<string, unknown>>, execution: string) => {
      const map = new Map<string, Array<Record<string, unknown>>>();
      for (const row of rows) {
        const key = `${String(row[execution])}|${String(row.TurnIdentifier__c)}`;
        map.set(key, [...(map.get(key) ?? []), row]);
      }
      return map;
    };
    const answers = byTurn(
      messages.filter((m) => m.Direction__c === 'Outbound'),
      'AgentExecution__c',
    );
    const stepsByTurn = byTurn(steps, 'AgentExecution__c');
    const taskCounts = new Map<string, number>();
    for (const task of tasks) taskCounts.set(String(task.Subject), (taskCounts.get(String(task.Subject)) ?? 0) + 1);
    const result: Accounting = {
      turns: this.published.length,
      answered: 0,
      lost: [],
      duplicated: [],
      sideEffectsRepeated: [],
      stepKeysUnique: true,
      lostReasons: [],
      uncertain: [],
      wrongAnswers: [],
      identityViolations: [],
    };
    const requester = new Map(
      executions.map((execution) => [String(execution.Id), String(execution.RequestingUser__c)]),
    );
    const creators = new Map(tasks.map((task) => [String(task.Subject), String(task.CreatedById)]));
    for (const turn of this.published) {
      const key = `${turn.executionId}|${turn.turnId}`;
      const turnAnswers = answers.get(key) ?? [];
      const turnSteps = stepsByTurn.get(key) ?? [];
      if (turnAnswers.length === 0) result.lost.push(key);
      else result.answered += 1;
      const sequences = turnSteps.map((step) => Number(step.Sequence__c));
      const responses = turnSteps.filter((step) => step.StepType__c === 'AgentResponse').length;
      if (turnAnswers.length > 1 || responses > 1 || new Set(sequences).size !== sequences.length)
        result.duplicated.push(key);
      if (turn.sideEffect && (taskCounts.get(turn.message) ?? 0) > 1) result.sideEffectsRepeated.push(key);
      const creator = creators.get(turn.message);
      if (turn.sideEffect && creator !== undefined && creator !== requester.get(turn.executionId)) {
        result.identityViolations.push(
          `${key}: Task created by ${creator}, asked for by ${requester.get(turn.executionId) ?? '?'}`,
        );
      }
      const answer = String(turnAnswers[0]?.Content__c ?? '');
      const uncertain = turnSteps.some((step) => step.ErrorCategory__c === 'SideEffectUncertain');
      if (turn.sideEffect && uncertain && answer === UNCERTAIN_ANSWER)
        result.uncertain.push(`${key} (tasks: ${taskCounts.get(turn.message) ?? 0})`);
      else if (
        turnAnswers.length > 0 &&
        !(turn.sideEffect ? EXPECTED_ANSWER.sideEffect : EXPECTED_ANSWER.read).test(answer)
      ) {
        result.wrongAnswers.push(`${key}: ${answer.slice(0, 120)}`);
      }
    }
    result.identityViolations.push(...(await this.requestLogViolations()));
    const keys = steps.map((step) => String(step.StepKey__c));
    result.stepKeysUnique = new Set(keys).size === keys.length;
    if (result.lost.length > 0)
      result.lostReasons = await this.deadLetterReasons(result.lost.map((key) => key.split('|')[0] as string));
    return result;
  }

  /**
   * The emulator's request log (its most recent 20,000 entries): every token was used by its own user and Tasks are
   * created with business users' tokens only; every audit row was written by the worker.
   */
  private async requestLogViolations(): Promise<string[]> {
    const [log, tokens, users] = await Promise.all([
      this.admin('GET', '/requests') as Promise<
        Array<{
          seq: number;
          method: string;
          path: string;
          userId: string | null;
          tokenId: string | null;
          turn: string | null;
          status: number;
        }>
      >,
      this.admin('GET', '/tokens') as Promise<Array<{ tokenId: string; userId: string }>>,
      this.records('User'),
    ]);
    const owner = new Map(tokens.map((token) => [token.tokenId, token.userId]));
    const worker = String(users.find((user) => user.Username === 'worker@lending.test')?.Id);
    const idOf = new Map(users.map((user) => [String(user.Username).toLowerCase(), String(user.Id)]));
    const requester = new Map(this.published.map((turn) => [turn.turnId, idOf.get(turn.username.toLowerCase())]));
    const violations: string[] = [];
    for (const entry of log) {
      if (entry.tokenId === null || entry.userId === null || entry.status >= 400) continue;
      const where = `request ${entry.seq} ${entry.method} ${entry.path}`;
      if (owner.get(entry.tokenId) !== entry.userId)
        violations.push(`${where}: token of ${owner.get(entry.tokenId) ?? '?'} counted for ${entry.userId}`);
      // By the turn the worker says the request served: its requesting user's token, or the worker's for Loom's records.
      if (entry.turn !== null) {
        const own = requester.get(entry.turn);
        const used = owner.get(entry.tokenId);
        if (own === undefined) violations.push(`${where}: names turn ${entry.turn}, which nobody published`);
        else if (used !== own && used !== worker)
          violations.push(`${where}: turn of ${own} used the token of ${used ?? '?'}`);
      }
      if (entry.method === 'POST' && /\/sobjects\/Task$/.test(entry.path) && entry.userId === worker)
        violations.push(`${where}: Task created with the worker's token`);
    }
    if (!log.some((entry) => entry.method === 'POST' && /\/sobjects\/Task$/.test(entry.path)))
      violations.push('the request log holds no Task creation: the check saw nothing');
    if (!log.some((entry) => entry.turn !== null && entry.userId !== worker))
      violations.push('the request log holds no turn-tagged user request: the check saw nothing');
    for (const type of ['ExecutionStep__c', 'AgentDecisionStep__c']) {
      const foreign = (await this.records(type)).filter((row) => row.CreatedById !== worker);
      if (foreign.length > 0)
        violations.push(
          `${foreign.length} ${type} rows not written by the worker (e.g. by ${String(foreign[0]?.CreatedById)})`,
        );
    }
    return violations;
  }

  /** How often BullMQ found each job stalled (its worker died or missed a lock renewal): a histogram of `stc`. */
  async stallHistogram(): Promise<Record<number, number>> {
    const redis = this.redis.client();
    const histogram: Record<number, number> = {};
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}:jobs-*`, 'COUNT', 1_000);
      cursor = next;
      const jobKeys = keys.filter(
        (key) =>
          /:jobs-[^:]+:[^:]+$/.test(key) &&
          !/:(meta|id|events|wait|active|paused|completed|failed|delayed|prioritized|stalled|stalled-check|marker|limiter|pc|de)$/.test(
            key,
          ),
      );
      for (const key of jobKeys) {
        if ((await redis.type(key)) !== 'hash') continue;
        const stalls = Number((await redis.hget(key, 'stc')) ?? 0);
        histogram[stalls] = (histogram[stalls] ?? 0) + 1;
      }
    } while (cursor !== '0');
    return histogram;
  }

  /** Dead-letter entries in Redis that name one of these executions. */
  private async deadLetterReasons(executionIds: string[]): Promise<string[]> {
    const redis = this.redis.client();
    const keys = await redis.keys(`${this.prefix}:*:dead-letter`);
    const lines = (await Promise.all(keys.map((key) => redis.lrange(key, 0, -1)))).flat();
    return lines
      .map((line) => JSON.parse(line) as { reason: string; detail: string; executionId?: string })
      .filter((entry) => entry.executionId && executionIds.includes(entry.executionId))
      .map((entry) => `${entry.executionId}: ${entry.reason}: ${entry.detail.slice(0, 300)}`);
  }

  /** Seeded SSNs, emails and the dev private key found in any audit record (ExecutionStep__c, AgentDecisionStep__c). */
  /**
   * Seeded and pasted PII and the private key, searched for in every audit record, every worker log line and every
   * model request: returns `where: needle` for each hit.
   */
  async leakScan(): Promise<string[]> {
    const contacts = await this.records('Contact');
    const needles = contacts
      .flatMap((c) => [c.SSN__c, c.Email])
      .filter((v): v is string => typeof v === 'string' && v.length > 5);
    needles.push('pasted.customer@example.org', '536-22-1234');
    needles.push(...this.emulator.privateKeyPem.split('\n').filter((line) => line.length > 40));
    const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const haystacks: Record<string, string> = {
      audit: JSON.stringify([
        ...(await this.records('ExecutionStep__c')),
        ...(await this.records('AgentDecisionStep__c')),
      ]),
      logs: read(this.logFile),
      model: read(this.modelFile),
      // Nothing sensitive at rest outside Salesforce: every other file the workers wrote (state dirs: checkpoints,
      // de-dup, dead letters, vault) and every value they left in Redis (queues, jobs, ledgers, dead letters).
      files: readdirSync(this.dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .filter((file) => file !== this.logFile && file !== this.modelFile)
        .map(read)
        .join('\n'),
      redis: await this.redisDump(),
    };
    if (haystacks.logs.length === 0 || haystacks.model.length === 0 || haystacks.redis.length === 0)
      return ['scan: worker logs, model requests or Redis contents were not captured'];
    return Object.entries(haystacks).flatMap(([where, text]) =>
      needles.filter((needle) => text.includes(needle)).map((needle) => `${where}: ${needle.slice(0, 12)}…`),
    );
  }

  /** Every string, list, hash, set, sorted-set and stream value under the cluster's Redis, as one text. */
  private async redisDump(): Promise<string> {
    const redis = this.redis.client();
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'list') parts.push(...(await redis.lrange(key, 0, -1)));
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'set') parts.push(...(await redis.smembers(key)));
        else if (type === 'zset') parts.push(...(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
    return parts.join('\n');
  }

  async stopWorkers(): Promise<void> {
    this.stopping = true;
    const children = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(children.map((child) => stopChild(child)));
    this.stopping = false;
  }

  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers.values()].map((child) => stopChild(child)));
    this.workers.clear();
    if (this.emulatorChild) await stopChild(this.emulatorChild);
    await this.redis?.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGTERM, then SIGKILL if the child has not exited in 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
