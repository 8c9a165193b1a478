/**
 * Shared pieces of the abuse suites: one emulator and runtime per file, a switchable scripted model that keeps every
 * request it received, a logger whose every line is kept, agents built from capability lists, and the evidence
 * (request log, token owners, audit rows) the tests assert on.
 */
import { Writable } from 'node:stream';
import type { Org } from '../../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../../src/emulator/server.ts';
import { ScriptedProvider } from '../../../src/llm/scripted.ts';
import type { ScriptedScript } from '../../../src/llm/script-schema.ts';
import type { LlmProvider } from '../../../src/llm/types.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import type { JobOutcome, TurnJob } from '../../../src/runtime/jobs.ts';
import type { RuntimeOptions } from '../../../src/worker/runtime-deps.ts';
import { startTestEmulator } from '../emulator.ts';
import { createAgent, createHarness, USERS, type Harness } from '../runtime.ts';

export { USERS };

/** A pino logger at trace level whose serialized lines are all kept (the secrets scan reads them). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', name: 'abuse', destination }), lines };
}

export interface AbuseKit {
  emulator: EmulatorHandle;
  harness: Harness;
  logLines: string[];
  /** Every model request any scripted provider of this kit received (deep copies). */
  modelRequests(): unknown[];
  /** Replaces the model's script for the next turns. */
  useScript(script: ScriptedScript): void;
  userId(username: string): string;
  /** Creates an active agent as the admin with the given Standard capabilities; returns its ID. */
  createAgent(
    name: string,
    capabilities: Array<Record<string, unknown>>,
    fields?: Record<string, unknown>,
  ): Promise<string>;
  /** Starts a turn as `username` (like AgentTurnService) and runs it through the turn handler. */
  run(
    username: string,
    agentId: string,
    message: string,
  ): Promise<{ executionId: string; turnId: string; outcome: JobOutcome; job: TurnJob }>;
  /** Writes a record in system context (fixtures the REST API would refuse, like anonymous Apex). */
  systemCreate(type: string, fields: Record<string, unknown>): string;
  /** The audit rows of an execution (admin view) in order. */
  steps(executionId: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function startAbuseKit(options: { runtime?: Partial<RuntimeOptions> } = {}): Promise<AbuseKit> {
  const emulator = await startTestEmulator();
  const { logger, lines } = capturingLogger();
  const providers: ScriptedProvider[] = [];
  let current: ScriptedProvider = new ScriptedProvider({ rules: [{ when: {}, respond: { text: 'ok' } }] });
  providers.push(current);
  const provider: LlmProvider = { name: 'switchable', complete: (request) => current.complete(request) };
  const harness = await createHarness(emulator, { runtime: { logger, provider, ...options.runtime } });
  const admin = harness.clientFor(USERS.admin);
  const userId = (username: string): string => {
    const user = emulator.org.userByUsername(username);
    if (!user) throw new Error(`no user ${username}`);
    return user.id;
  };
  return {
    emulator,
    harness,
    logLines: lines,
    modelRequests: () => providers.flatMap((p) => p.requests),
    useScript(script) {
      current = new ScriptedProvider(script);
      providers.push(current);
    },
    userId,
    createAgent: (name, capabilities, fields = {}) => createAgent(harness, name, capabilities, fields),
    async run(username, agentId, message) {
      const { started, job } = await harness.turn(username, message, { agentId });
      const outcome = await harness.turnHandler.handle(job, new AbortController().signal);
      return { executionId: started.executionId, turnId: started.turnId, outcome, job };
    },
    systemCreate(type, fields) {
      const org = emulator.org as Org;
      return org.create(org.systemAccess(userId(USERS.admin)), type, fields).id;
    },
    async steps(executionId) {
      const { records } = await admin.query(
        `SELECT StepKey__c, TurnIdentifier__c, Sequence__c, StepType__c, Content__c, ToolName__c, ToolArguments__c, ToolResult__c, IsError__c, ErrorCategory__c FROM ExecutionStep__c WHERE AgentExecution__c = '${executionId}' ORDER BY Sequence__c`,
      );
      return records;
    },
    close: () => emulator.close(),
  };
}

/** Which user each token belongs to, from the emulator's token records (never the secrets themselves). */
export function tokenOwners(emulator: EmulatorHandle): Map<string, string> {
  return new Map(emulator.admin.tokens().map((token) => [token.tokenId, token.userId]));
}

/** Request-log entries made after `fromSeq`, authenticated ones only. */
export function requestsSince(
  emulator: EmulatorHandle,
  fromSeq: number,
): Array<{
  seq: number;
  method: string;
  path: string;
  userId: string;
  tokenId: string;
  turn: string | null;
  status: number;
}> {
  return emulator.admin
    .requestLog()
    .filter((entry) => entry.seq > fromSeq && entry.userId !== null && entry.tokenId !== null)
    .map((entry) => ({
      seq: entry.seq,
      method: entry.method,
      path: entry.path,
      userId: entry.userId as string,
      tokenId: entry.tokenId as string,
      turn: entry.turn,
      status: entry.status,
    }));
}

export function lastSeq(emulator: EmulatorHandle): number {
  return emulator.admin.requestLog().at(-1)?.seq ?? 0;
}

/** Occurrences of any needle in any named haystack: `[{ where, needle }]`. */
export function findLeaks(
  haystacks: Record<string, string>,
  needles: string[],
): Array<{ where: string; needle: string }> {
  const hits: Array<{ where: string; needle: string }> = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const needle of needles) if (needle && text.includes(needle)) hits.push({ where, needle });
  }
  return hits;
}
