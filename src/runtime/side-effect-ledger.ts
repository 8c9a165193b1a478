/**
 * The side-effect ledger: a tool call that changes data runs at most once per (execution, turn, tool call ID), even when
 * the worker dies between the tool and the turn's atomic audit write and the job is retried.
 *
 * Protocol around each side-effecting call: `begin` claims the key atomically ("started"); after the tool returns,
 * `complete` stores its outcome ("done"). On a retry:
 *   - "done"    → the recorded outcome is returned; the tool does not run again.
 *   - "started" → the earlier attempt died mid-call, so its effect is unknown. An update with the same arguments is
 *                 idempotent and is re-applied; anything else (create, email, Flow, Apex) is refused and recorded, so a
 *                 person can check instead of the worker guessing.
 * Limits: the key relies on stable tool call IDs (true for the scripted provider and for a replayed conversation; a
 * real model asked again may choose new IDs, in which case a "started" entry for the old ID is never consulted).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { AllocationExhaustedError, SalesforceError } from '../salesforce/rest-client.ts';
import type { ToolDefinition, ToolExecutor, ToolOutcome } from './ports.ts';

export interface LedgerEntry {
  state: 'started' | 'done';
  /** Set once the call finished (what the tool returned). */
  outcome?: ToolOutcome;
  /** Arguments fingerprint: a retry with different arguments is not the same call. */
  args: string;
  at: number;
}

export interface SideEffectLedger {
  /** Claims `key` ("started") unless an entry exists; returns the existing entry, or null when this call claimed it. */
  begin(key: string, args: string): Promise<LedgerEntry | null>;
  /** Records the finished call's outcome. */
  complete(key: string, args: string, outcome: ToolOutcome): Promise<void>;
  /** Forgets a "started" claim whose call is known not to have run, so a retry may run it (a "done" entry stays). */
  release(key: string): Promise<void>;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** In-process only: protects retries inside one process (shutdown hand-back); bounded so a soak cannot grow it. */
export class MemorySideEffectLedger implements SideEffectLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  constructor(private readonly maxEntries = 10_000) {}

  async begin(key: string, args: string): Promise<LedgerEntry | null> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    this.set(key, { state: 'started', args, at: Date.now() });
    return null;
  }

  async complete(key: string, args: string, outcome: ToolOutcome): Promise<void> {
    this.set(key, { state: 'done', args, outcome, at: Date.now() });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state === 'started') this.entries.delete(key);
  }

  private set(key: string, entry: LedgerEntry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Deletes the entry only while it is still "started" (atomic: a concurrent attempt's "done" is never lost). */
const RELEASE_STARTED = `local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).state == 'started' then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Scaled mode: one key per call with SET NX (atomic across processes) and a TTL. */
export class RedisSideEffectLedger implements SideEffectLedger {
  constructor(
    private readonly redis: Pick<Redis, 'set' | 'get' | 'eval'>,
    private readonly prefix = 'loom',
    private readonly ttlMs = WEEK_MS,
  ) {}

  async begin(key: string, args: string): Promise<LedgerEntry | null> {
    const started: LedgerEntry = { state: 'started', args, at: Date.now() };
    const claimed = await this.redis.set(this.key(key), JSON.stringify(started), 'PX', this.ttlMs, 'NX');
    if (claimed === 'OK') return null;
    const raw = await this.redis.get(this.key(key));
    // The key vanished between SET NX and GET (TTL): treat as unknown rather than run twice.
    return raw ? (JSON.parse(raw) as LedgerEntry) : { state: 'started', args, at: Date.now() };
  }

  async complete(key: string, args: string, outcome: ToolOutcome): Promise<void> {
    await this.redis.set(
      this.key(key),
      JSON.stringify({ state: 'done', args, outcome, at: Date.now() } satisfies LedgerEntry),
      'PX',
      this.ttlMs,
    );
  }

  async release(key: string): Promise<void> {
    await this.redis.eval(RELEASE_STARTED, 1, this.key(key));
  }

  private key(key: string): string {
    return `${this.prefix}:side-effects:${key}`;
  }
}

/**
 * Embedded mode: an append-only JSON-lines file (a SIGKILLed process loses nothing the kernel already has), loaded and
 * compacted at start. One process owns the file, as in embedded mode one process owns the queue.
 */
export class FileSideEffectLedger implements SideEffectLedger {
  private readonly entries = new Map<string, LedgerEntry>();

  constructor(
    private readonly file: string,
    private readonly ttlMs = WEEK_MS,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (existsSync(file)) {
      const cutoff = Date.now() - ttlMs;
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const { key, released, ...entry } = JSON.parse(line) as LedgerEntry & { key: string; released?: boolean };
          if (released) this.entries.delete(key);
          else if (entry.at >= cutoff) this.entries.set(key, entry);
        } catch {
          // A line torn by a crash mid-append: the call it described is treated as never claimed by that line.
        }
      }
    }
    writeFileSync(file, [...this.entries].map(([key, entry]) => `${JSON.stringify({ key, ...entry })}\n`).join(''));
  }

  async begin(key: string, args: string): Promise<LedgerEntry | null> {
    const existing = this.entries.get(key);
    if (existing && existing.at >= Date.now() - this.ttlMs) return existing;
    this.write(key, { state: 'started', args, at: Date.now() });
    return null;
  }

  async complete(key: string, args: string, outcome: ToolOutcome): Promise<void> {
    this.write(key, { state: 'done', args, outcome, at: Date.now() });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state !== 'started') return;
    appendFileSync(this.file, `${JSON.stringify({ key, released: true })}\n`);
    this.entries.delete(key);
  }

  private write(key: string, entry: LedgerEntry): void {
    appendFileSync(this.file, `${JSON.stringify({ key, ...entry })}\n`);
    this.entries.set(key, entry);
  }
}

/**
 * Salesforce errors that prove a request changed nothing: it was refused before it ran (allocation, session) or its
 * transaction rolled back (one REST call is one transaction; an error response means no commit). A dropped connection,
 * a timeout or a bare 5xx from something in between proves nothing: those keep the claim, and a retry is refused.
 */
const ROLLED_BACK = new Set([
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'INVALID_SESSION_ID',
  'ECONNREFUSED',
]);

export function rejectedBeforeCommit(error: unknown): boolean {
  if (error instanceof AllocationExhaustedError) return true;
  return error instanceof SalesforceError && ROLLED_BACK.has(error.errorCode);
}

/** Standard actions whose repetition with the same arguments leaves the same state. */
const IDEMPOTENT = new Set(['UpdateRecord']);

/** Wraps a turn's tool executor: side-effecting calls go through the ledger, reads run as they are. */
export class LedgeredExecutor implements ToolExecutor {
  constructor(
    private readonly inner: ToolExecutor,
    private readonly ledger: SideEffectLedger,
    private readonly scope: { executionId: string; turnId: string },
    private readonly logger?: Logger,
  ) {}

  async execute(
    tool: ToolDefinition,
    args: Record<string, unknown>,
    context: { toolCallId: string; signal: AbortSignal },
  ): Promise<ToolOutcome> {
    if (!tool.sideEffects) return this.inner.execute(tool, args, context);
    const key = `${this.scope.executionId}:${this.scope.turnId}:${context.toolCallId}`;
    const fingerprint = JSON.stringify([tool.name, args]);
    const existing = await this.ledger.begin(key, fingerprint);
    if (existing?.state === 'done' && existing.outcome && existing.args === fingerprint) {
      this.logger?.info(
        { tool: tool.name, toolCallId: context.toolCallId },
        'side effect already ran for this tool call; returning its recorded result',
      );
      return existing.outcome;
    }
    if (existing) {
      const idempotent =
        tool.implementationType === 'Standard' &&
        IDEMPOTENT.has(tool.implementationDetail) &&
        existing.args === fingerprint;
      if (!idempotent) {
        const refused: ToolOutcome = {
          ok: false,
          errorCategory: 'SideEffectUncertain',
          result: {
            error:
              'This action may already have run in an attempt that was interrupted, so it was not repeated. Ask the user to check the record before trying again.',
          },
        };
        this.logger?.warn(
          { tool: tool.name, toolCallId: context.toolCallId, state: existing.state },
          'side effect with unknown outcome; refused to repeat it',
        );
        await this.ledger.complete(key, fingerprint, refused);
        return refused;
      }
      this.logger?.info(
        { tool: tool.name, toolCallId: context.toolCallId },
        're-applying an idempotent side effect whose first attempt was interrupted',
      );
    }
    let outcome: ToolOutcome;
    try {
      outcome = await this.inner.execute(tool, args, context);
    } catch (error) {
      // The org answered with an error, so nothing was committed: a retry of the job may run the call again.
      if (rejectedBeforeCommit(error)) await this.ledger.release(key);
      throw error;
    }
    await this.ledger.complete(key, fingerprint, outcome);
    return outcome;
  }
}
