import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LENDING_SCRIPT, provisionLendingAgent } from '../dev/lending-agent.ts';
import { startLocalWorker, type LocalWorker } from '../dev/local-worker.ts';
import type { Org } from '../emulator/org/org.ts';
import { findDevPrivateKey } from '../emulator/http/dev-keys.ts';
import { DEFAULT_SEED_PATH, startEmulator, type EmulatorHandle } from '../emulator/server.ts';
import { loadConfig } from '../config.ts';
import { FileTokenVault, PiiMasker, type TokenVault } from '../governance/pii/index.ts';
import { createProviderFromConfig } from '../llm/from-config.ts';
import { ScriptedProvider } from '../llm/scripted.ts';
import type { LlmProvider } from '../llm/types.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { startTurn } from '../runtime/start-turn.ts';
import type { TurnWritten } from '../runtime/turn-handler.ts';
import { describeStep, formatInt, formatUsd, oneLine, Printer, type DemoOutput } from './print.ts';
import { ADMIN, STORY, type Beat } from './story.ts';

export interface DemoOptions {
  out: DemoOutput;
  /** Default: colour when `out` is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** LOOM_LLM_BASE_URL + LOOM_LLM_API_KEY here switch from the script to a real OpenAI-compatible model. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/** Written turns as they arrive, so the story can wait for a given turn (a resumed turn writes twice). */
class TurnLog {
  private readonly turns: TurnWritten[] = [];
  private readonly listeners = new Set<() => void>();

  readonly push = (turn: TurnWritten): void => {
    this.turns.push(turn);
    for (const listener of [...this.listeners]) listener();
  };

  /** The `nth` (0-based) written turn with this identifier. */
  async next(turnId: string, nth: number, timeoutMs: number): Promise<TurnWritten> {
    const find = (): TurnWritten | undefined => this.turns.filter((turn) => turn.turnId === turnId)[nth];
    const found = find();
    if (found) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`the worker did not finish turn ${turnId} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const check = (): void => {
        const turn = find();
        if (!turn) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(turn);
      };
      this.listeners.add(check);
    });
  }
}

interface Played {
  beat: Beat;
  executionId: string;
  turns: TurnWritten[];
}

/** Turns an execution's PII tokens back into the values the people in the story are entitled to see. */
type Restore = (text: string) => Promise<string>;

/**
 * The worker masks PII before the model sees it and keeps the token→value map in its vault (a file here, keyed by
 * execution). People are shown restored text: the requester and the approver are users of the org, not the model.
 */
function restorerFor(vault: TokenVault, executionId: string): Restore {
  const masker = new PiiMasker({ mode: 'pattern', vault, conversationId: executionId });
  return (text) => masker.restore(text);
}

function realModel(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.LOOM_LLM_BASE_URL && env.LOOM_LLM_API_KEY);
}

/** The model the story runs on: the script, or a real OpenAI-compatible one when the environment names it. */
interface DemoModel {
  real: boolean;
  /** The LOOM_LLM_* settings handed to the worker (none for the script). */
  llmEnv: Record<string, string | undefined>;
  provider: LlmProvider;
}

function demoModel(env: NodeJS.ProcessEnv, logger: Logger): DemoModel {
  const real = realModel(env);
  const llmEnv = real
    ? {
        LOOM_LLM_BASE_URL: env.LOOM_LLM_BASE_URL,
        LOOM_LLM_API_KEY: env.LOOM_LLM_API_KEY,
        LOOM_LLM_MODEL: env.LOOM_LLM_MODEL,
        LOOM_LLM_ADAPTER: 'openai',
      }
    : {};
  const provider: LlmProvider = real
    ? createProviderFromConfig(loadConfig(llmEnv), logger)
    : new ScriptedProvider(LENDING_SCRIPT);
  return { real, llmEnv, provider };
}

/** Everything the story's beats share while it plays. */
interface Stage {
  print: Printer;
  emulator: EmulatorHandle;
  worker: LocalWorker;
  log: TurnLog;
  /** The worker's PII vault, read to restore what people are entitled to see. */
  vault: TokenVault;
  agentId: string;
  timeoutMs: number;
  /** A user's name and profile, for the printed conversation. */
  who: (username: string) => string;
}

/**
 * `npm run demo`: the sample lending org in the emulator, the worker in embedded mode (events over CometD), the
 * scripted model (or a real one), a short story as several users, then the audit trail read back from the org.
 * Returns the process exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const env = options.env ?? process.env;
  const color = options.color ?? (Boolean(options.out.isTTY) && !env.NO_COLOR);
  const print = new Printer(options.out, color);
  const { c } = print;
  const logger = options.logger ?? silentLogger();
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-demo-'));
  let emulator: EmulatorHandle | undefined;
  let worker: LocalWorker | undefined;
  try {
    emulator = await startEmulator({
      host: '127.0.0.1',
      port: 0,
      cometdTimeoutMs: 2_000,
      logger: logger.child({ component: 'emulator' }),
    });
    const credentials = workerCredentials(emulator);
    const model = demoModel(env, logger);
    const log = new TurnLog();
    // The worker's own vault, read back by the demo to show people real values instead of tokens.
    const vaultKey = randomBytes(32).toString('hex');
    const vault = new FileTokenVault(join(stateDir, 'vault'), vaultKey);
    worker = await startLocalWorker({
      env: workerEnv(emulator, credentials, { stateDir, vaultKey, env, llmEnv: model.llmEnv }),
      logger,
      provider: model.provider,
      tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.5, restartBaseMs: 100 },
      onTurnWritten: log.push,
    });
    const agentId = await provisionLendingAgent(
      worker.clientFor(ADMIN),
      model.real ? { adapter: 'OpenAICompatible', model: env.LOOM_LLM_MODEL ?? 'gpt-4o-mini' } : {},
    );
    printBanner(print, emulator, env, model.real);
    const stage: Stage = {
      print,
      emulator,
      worker,
      log,
      vault,
      agentId,
      timeoutMs: model.real ? 120_000 : 20_000,
      who: whoIn(emulator, print),
    };
    const played: Played[] = [];
    for (const beat of STORY) played.push(await playBeat(stage, beat));
    await printAudit(print, worker, played);
    await printSummary(print, worker, emulator, played);
    return exitCode(print, played);
  } catch (error) {
    print.line(c.red(`demo failed: ${(error as Error).message}`));
    return 1;
  } finally {
    await worker?.close().catch(() => undefined);
    // faye sends /meta/disconnect without waiting for the answer; give it a moment before the org goes away, or faye
    // retries the lost request forever.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await emulator?.close().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The sample seed's connected app and its dev key: the worker signs in with them as the integration user. */
function workerCredentials(emulator: EmulatorHandle): { consumerKey: string; keyFile: string } {
  const app = emulator.org.connectedApps()[0];
  const key = app ? findDevPrivateKey(DEFAULT_SEED_PATH, app) : undefined;
  if (!app || !key) throw new Error('the sample seed has no connected app with a dev key');
  return { consumerKey: app.consumerKey, keyFile: key.file };
}

/** The worker's configuration for the demo: the emulator's org, a private state dir, fresh keys, quiet logs. */
function workerEnv(
  emulator: EmulatorHandle,
  credentials: { consumerKey: string; keyFile: string },
  run: { stateDir: string; vaultKey: string; env: NodeJS.ProcessEnv; llmEnv: Record<string, string | undefined> },
): NodeJS.ProcessEnv {
  const { env } = run;
  return {
    SF_LOGIN_URL: emulator.url,
    SF_CLIENT_ID: credentials.consumerKey,
    SF_PRIVATE_KEY_FILE: credentials.keyFile,
    SF_INTEGRATION_USERNAME: 'worker@lending.test',
    SF_API_VERSION: '62.0',
    LOOM_STATE_DIR: run.stateDir,
    LOOM_LOG_LEVEL: 'silent',
    // A fresh key per run: held tool arguments are signed, and an approval runs exactly what was approved.
    LOOM_HITL_SIGNING_KEY: randomBytes(32).toString('hex'),
    LOOM_VAULT_KEY: run.vaultKey,
    // LOOM_EVENT_API=pubsub plays the same story with turns arriving over the emulator's Pub/Sub API (gRPC).
    ...(env.LOOM_EVENT_API ? { LOOM_EVENT_API: env.LOOM_EVENT_API, LOOM_PUBSUB_URL: emulator.pubsubUrl } : {}),
    ...run.llmEnv,
  };
}

function printBanner(print: Printer, emulator: EmulatorHandle, env: NodeJS.ProcessEnv, real: boolean): void {
  const { c } = print;
  print.line(
    `${c.bold('Loom demo')} ${c.dim('— a governed AI agent on the emulated Salesforce org')} ${c.bold(emulator.org.orgName)}`,
  );
  print.line(
    c.dim(
      `  org ${emulator.org.orgId} at ${emulator.url} · worker: embedded mode, events over ${env.LOOM_EVENT_API === 'pubsub' ? 'the Pub/Sub API' : 'CometD'} · model: ${real ? `${env.LOOM_LLM_MODEL ?? 'gpt-4o-mini'} at ${env.LOOM_LLM_BASE_URL}` : 'scripted (no network, no keys)'}`,
    ),
  );
}

function whoIn(emulator: EmulatorHandle, print: Printer): (username: string) => string {
  const { c } = print;
  const users = new Map(emulator.org.users().map((user) => [user.username, user]));
  return (username) => {
    const user = users.get(username);
    return user ? `${user.firstName} ${user.lastName} ${c.dim(`(${user.profile})`)}` : username;
  };
}

/** One beat: the user's message starts a turn in the org; a held action is decided by the approver, then resumed. */
async function playBeat(stage: Stage, beat: Beat): Promise<Played> {
  const { print, log } = stage;
  const { c } = print;
  print.line();
  print.line(c.dim(`# ${beat.note}`));
  print.line(`${c.cyan('▸')} ${stage.who(beat.username)}: ${c.bold(beat.message)}`);
  const started = await startTurn(stage.worker.clientFor(beat.username), {
    agentId: stage.agentId,
    message: beat.message,
  });
  const turn = await log.next(started.turnId, 0, stage.timeoutMs);
  await printTurn(print, turn, restorerFor(stage.vault, started.executionId));
  const entry: Played = { beat, executionId: started.executionId, turns: [turn] };
  if (beat.approval && turn.status === 'Awaiting Action') {
    const resumed = await decide(stage, beat, started);
    if (resumed) entry.turns.push(resumed);
  } else if (beat.approval) {
    print.line(c.yellow(`  (${whyNotHeld(beat.approval.tool, turn)})`));
  }
  return entry;
}

/** Not held: a real model may answer without calling the gated tool, the turn may fail first, or the call was refused. */
function whyNotHeld(tool: string, turn: TurnWritten): string {
  const called = turn.steps.some((step) => step.StepType__c === 'ToolCall' && step.ToolName__c === tool);
  return called
    ? `${tool} was refused before it could be held for approval: it never ran`
    : turn.status === 'Failed'
      ? `the turn failed before the model called ${tool}, so nothing was held for approval`
      : `the model did not call ${tool}, so nothing was held for approval`;
}

/** A failed turn (e.g. a real model that refuses the key or cannot be reached) means the story was not told. */
function exitCode(print: Printer, played: Played[]): number {
  const turns = played.flatMap((entry) => entry.turns);
  const failed = turns.filter((turn) => turn.status === 'Failed').length;
  if (failed > 0) {
    print.line(
      print.c.red(`demo failed: ${failed} of ${turns.length} turn(s) failed; the audit trail above shows why`),
    );
    return 1;
  }
  return 0;
}

/** The conversation as its people see it: step text restored from the vault (the audit trail below keeps the tokens). */
async function printTurn(print: Printer, turn: TurnWritten, restore: Restore): Promise<void> {
  const { c } = print;
  const text = async (value: unknown): Promise<string> => oneLine(await restore(String(value ?? '')), 100);
  for (const step of turn.steps) {
    const type = step.StepType__c;
    if (type === 'ToolCall')
      print.line(`  ${c.dim('tool')} ${String(step.ToolName__c)} ${c.dim(await text(step.ToolArguments__c))}`);
    if (type === 'ToolResult' && step.IsError__c === true)
      print.line(`  ${c.red('refused')} ${await text(step.ToolResult__c)}`);
    if (type === 'SafetyCheck') print.line(`  ${c.magenta('screened')} ${await text(step.Content__c)}`);
    if (type === 'Approval') {
      const decided = /^(Approved|Rejected|Confirmed|Declined|Expired)/.test(String(step.Content__c ?? ''));
      print.line(`  ${c.magenta(decided ? 'decided' : 'held')} ${await text(step.Content__c)}`);
    }
  }
  const colour = turn.status === 'Completed' ? c.green : turn.status === 'Awaiting Action' ? c.yellow : c.red;
  print.line(`${c.green('◂')} Lending Assistant: ${turn.responseText ?? c.dim('(no answer)')}`);
  print.line(
    c.dim(
      `  ${colour(turn.status)} · ${turn.steps.length} steps · ${formatInt(turn.totalTokens)} tokens · ${formatUsd(turn.costUsd)}`,
    ),
  );
}

/**
 * The approver finds the pending action shared with them and decides through AgentHITLService (the emulator's
 * stand-in writes the comment on the record and publishes `AgentHITLDecision__e` with IDs only, in system context).
 */
async function decide(
  stage: Stage,
  beat: Beat,
  started: { executionId: string; turnId: string },
): Promise<TurnWritten | undefined> {
  const { emulator, worker, print } = stage;
  const { executionId } = started;
  const approval = beat.approval;
  if (!approval) return undefined;
  const { c } = print;
  const approverId = emulator.org.userByUsername(approval.approver)?.id;
  if (!approverId) throw new Error(`unknown approver ${approval.approver}`);
  // In an org the approver gets the ID in the Loom_Pending_Action notification; the emulator sends none, so look it up.
  const { records } = await worker
    .clientFor(ADMIN)
    .query<{ Id: string; Status__c: string }>(
      `SELECT Id, Status__c FROM PendingHITLAction__c WHERE AgentExecution__c = '${executionId}' AND Status__c = 'Pending' LIMIT 1`,
    );
  const pending = records[0];
  if (!pending) throw new Error('the held action was not recorded');
  print.line(
    `${c.cyan('▸')} ${stage.who(approval.approver)} ${c.bold(approval.decision.toLowerCase())}s the pending action ${c.dim(`(Loom: Decide Pending Action → AgentHITLService → AgentHITLDecision__e, "${approval.comment}")`)}`,
  );
  // Without routing nobody is sent the action; AgentHITLService (and the worker) need it shared with the approver.
  (emulator.org as Org).setShare(pending.Id, approverId, 'Read');
  // As a Flow or the approval inbox does: the package's invocable, as the approver.
  const [decided] = await worker
    .clientFor(approval.approver)
    .request<
      Array<{ isSuccess: boolean; errors: unknown; outputValues: { isSuccess: boolean; errorMessage: string | null } }>
    >('POST', '/actions/custom/apex/DecidePendingActionAction', {
      inputs: [{ pendingActionId: pending.Id, decision: approval.decision, comment: approval.comment }],
    });
  if (!decided?.isSuccess || !decided.outputValues.isSuccess)
    throw new Error(
      `the decision was refused: ${decided?.outputValues?.errorMessage ?? JSON.stringify(decided?.errors)}`,
    );
  const resumed = await stage.log.next(started.turnId, 1, stage.timeoutMs);
  await printTurn(print, resumed, restorerFor(stage.vault, executionId));
  // The change ran as the requesting user once approved; read it back as them.
  const check = await worker
    .clientFor(beat.username)
    .query<{ Name: string; Amount__c: number }>(
      "SELECT Name, Amount__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
    );
  const app = check.records[0];
  if (app) print.line(c.dim(`  read back as ${beat.username}: ${app.Name} Amount__c = ${app.Amount__c}`));
  return resumed;
}

async function printAudit(print: Printer, worker: LocalWorker, played: Played[]): Promise<void> {
  const { c } = print;
  print.heading('Audit trail: ExecutionStep__c rows read back from the org (as the admin)');
  print.line(
    c.dim(
      '  PII stays masked in the audit: a [TYPE:NNN] token is what the org stores and the model saw; only the worker’s vault maps it back.',
    ),
  );
  const admin = worker.clientFor(ADMIN);
  for (const [index, entry] of played.entries()) {
    const { records } = await admin.query(
      `SELECT Sequence__c, StepType__c, ToolName__c, ToolArguments__c, ToolResult__c, Content__c, IsError__c, ErrorCategory__c, SafetyVerdict__c, TotalTokens__c FROM ExecutionStep__c WHERE AgentExecution__c = '${entry.executionId}' ORDER BY Timestamp__c, Sequence__c`,
    );
    print.line();
    print.line(
      `${c.bold(`Turn ${index + 1}`)} ${c.dim(`execution ${entry.executionId} · ${entry.beat.username} · ${records.length} steps`)}`,
    );
    for (const step of records)
      print.line(`  ${c.dim(String(step.Sequence__c ?? '').padStart(3))} ${describeStep(c, step)}`);
  }
}

async function printSummary(
  print: Printer,
  worker: LocalWorker,
  emulator: EmulatorHandle,
  played: Played[],
): Promise<void> {
  const { c } = print;
  const admin = worker.clientFor(ADMIN);
  const ids = played.map((entry) => `'${entry.executionId}'`).join(', ');
  const { records } = await admin.query<{
    StepCount__c: number | null;
    TotalTokens__c: number | null;
    TotalCostUSD__c: number | null;
  }>(`SELECT StepCount__c, TotalTokens__c, TotalCostUSD__c FROM AgentExecution__c WHERE Id IN (${ids})`);
  const sum = (pick: (record: (typeof records)[number]) => number | null): number =>
    records.reduce((total, record) => total + (pick(record) ?? 0), 0);
  const usage = (await (await fetch(`${emulator.url}/__emulator/usage`)).json()) as { used: number; limit: number };
  const turns = played.reduce((total, entry) => total + entry.turns.length, 0);
  print.line();
  print.line(
    `${c.bold('Summary')}: ${turns} turns · ${formatInt(sum((r) => r.StepCount__c))} steps · ${formatInt(usage.used)} API calls used (of ${formatInt(usage.limit)} a day) · ` +
      `${formatInt(sum((r) => r.TotalTokens__c))} tokens · estimated cost ${formatUsd(sum((r) => r.TotalCostUSD__c))}`,
  );
}
