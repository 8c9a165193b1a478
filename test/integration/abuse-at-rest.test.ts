/**
 * Nothing sensitive at rest outside Salesforce (issue 16, class 5): an embedded worker (the `loom worker` service,
 * events over CometD, state directory, debug log written to a file in it) runs PII-heavy turns, an approval rejected
 * with a comment full of PII, a decision refused as a security violation (its job dead-lettered) and a malformed event
 * carrying PII. Then every file the worker wrote is read and scanned for the seeded PII, the values users typed and
 * the worker's secrets: zero hits. Dead letters, checkpoints, de-duplication keys, the ledger and the logs hold IDs and
 * categories only; the vault holds ciphertext.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeSync, openSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitDecision } from '../../src/emulator/apex/hitl-decision.ts';
import type { Org } from '../../src/emulator/org/org.ts';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { LENDING_SCRIPT, provisionLendingAgent } from '../../src/dev/lending-agent.ts';
import { ScriptedProvider } from '../../src/llm/scripted.ts';
import { createLogger } from '../../src/logger.ts';
import { startService, type Service } from '../../src/ops/service.ts';
import { startTurn } from '../../src/runtime/start-turn.ts';
import { findLeaks } from '../support/chaos/abuse-kit.ts';
import { devCredentials, startTestEmulator } from '../support/emulator.ts';

const SIGNING_KEY = 'at-rest-scan-signing-key-0123456789abcdef';
const VAULT_KEY = 'at-rest-scan-vault-key-0123456789abcdef01';
const PASTED = ['536-22-1234', '4111 1111 1111 1111', 'maria.alvarez@example.com', '+1 415 555 0111'];
const COMMENT_PII = ['Rejected: applicant DOB 1961-04-03', 'call jonas.weber@example.org', '602-33-4455'];
let emulator: EmulatorHandle;
let stateDir: string;
let service: Service;
let agentId: string;
let privateKeyPem: string;

const SCRIPT = {
  rules: [
    {
      when: { lastUserMessage: 'contacts', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: 'SELECT FirstName, LastName, Email, Phone, SSN__c FROM Contact' },
          },
        ],
      },
    },
    {
      when: { lastUserMessage: 'contacts' },
      respond: { text: 'First contact: {{lastToolResult.records.0.Email}}, SSN {{lastToolResult.records.0.SSN__c}}.' },
    },
    ...LENDING_SCRIPT.rules,
  ],
};

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

beforeAll(async () => {
  emulator = await startTestEmulator({ cometdTimeoutMs: 1_000 });
  const credentials = devCredentials(emulator);
  privateKeyPem = credentials.privateKeyPem;
  stateDir = mkdtempSync(join(tmpdir(), 'loom-at-rest-'));
  const log = openSync(join(stateDir, 'worker.log'), 'a');
  service = await startService({
    env: {
      SF_LOGIN_URL: emulator.url,
      SF_CLIENT_ID: credentials.app.consumerKey,
      SF_PRIVATE_KEY_FILE: credentials.privateKeyFile,
      SF_INTEGRATION_USERNAME: 'worker@lending.test',
      LOOM_STATE_DIR: stateDir,
      LOOM_HITL_SIGNING_KEY: SIGNING_KEY,
      LOOM_VAULT_KEY: VAULT_KEY,
    },
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void writeSync(log, line) } }),
    provider: new ScriptedProvider(SCRIPT),
    http: false,
    tuning: { shutdownGraceMs: 2_000, fayeRetrySeconds: 0.2, restartBaseMs: 50 },
  });
  agentId = await provisionLendingAgent(service.runtime.clientFor('admin@lending.test'));
  closeSync(openSync(join(stateDir, 'worker.log'), 'a'));
});

afterAll(async () => {
  await service?.close();
  await emulator?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('nothing sensitive at rest', () => {
  it('leaves no PII, comment text or secret in any file the worker wrote', async () => {
    const org = emulator.org as Org;
    const idOf = (username: string) => org.userByUsername(username)?.id as string;
    const run = async (username: string, message: string) => {
      const started = await startTurn(service.runtime.clientFor(username), { agentId, message });
      const written = await service.waiter.wait(started.turnId, 60_000);
      expect(
        written?.status,
        `${message}\n${readFileSync(join(stateDir, 'worker.log'), 'utf8').split('\n').slice(-15).join('\n')}`,
      ).toBeDefined();
      return started;
    };
    await run('underwriter@lending.test', 'List the contacts with their details');
    await run(
      'officer@lending.test',
      `Customer SSN ${PASTED[0]}, card ${PASTED[1]}, mail ${PASTED[2]}, phone ${PASTED[3]}: which open applications do we have?`,
    );

    // An approval rejected with a comment full of PII, and a decision the worker refuses (its job is dead-lettered).
    const held = await run('officer@lending.test', 'Please raise the amount of HL-1001 to 27,500.');
    const pendingId = async () =>
      (
        await service.runtime.integration.query<{ Id: string }>(
          `SELECT Id FROM PendingHITLAction__c WHERE AgentExecution__c = '${held.executionId}'`,
        )
      ).records[0]?.Id;
    const pending = await until(pendingId, 'the held action');
    submitDecision(org, idOf('officer2@lending.test'), {
      pendingActionId: pending,
      decision: 'Approve',
      comment: COMMENT_PII.join(' '),
    });
    await until(
      async () =>
        (await service.worker.deadLetter().list()).some((entry) => entry.reason.startsWith('security'))
          ? true
          : undefined,
      'the refused decision in the dead letter',
    );
    org.setShare(pending, idOf('approver@lending.test'), 'Read');
    submitDecision(org, idOf('approver@lending.test'), {
      pendingActionId: pending,
      decision: 'Reject',
      comment: COMMENT_PII.join(' '),
    });
    await until(async () => {
      const { records } = await service.runtime.integration.query<{ Status__c: string }>(
        `SELECT Status__c FROM PendingHITLAction__c WHERE Id = '${pending}'`,
      );
      return records[0]?.Status__c === 'Rejected' ? true : undefined;
    }, 'the rejection');

    // A malformed event (not a record ID) whose payload carries PII: dead-lettered without it.
    await service.runtime.integration.request('POST', '/sobjects/AgentHITLDecision__e', {
      PendingActionId__c: `SSN ${PASTED[0]}`,
      Decision__c: 'Run',
    });
    await until(
      async () =>
        (await service.worker.deadLetter().list()).some((entry) => entry.reason.startsWith('malformed'))
          ? true
          : undefined,
      'the malformed event in the dead letter',
    );
    await service.close();

    const seeded = emulator.admin
      .records('Contact')
      .flatMap((record) => [record.Email, record.Phone, record.SSN__c])
      .filter((value): value is string => typeof value === 'string');
    expect(seeded.length).toBeGreaterThan(12);
    const tokens = emulator.admin.tokens().length;
    expect(tokens).toBeGreaterThan(0);
    const keyBody = privateKeyPem.split('\n').filter((line) => line && !line.startsWith('-----'))[1] ?? '';
    const needles = [...seeded, ...PASTED, ...COMMENT_PII, SIGNING_KEY, VAULT_KEY, keyBody];

    const files = filesUnder(stateDir);
    const names = files.map((file) => file.slice(stateDir.length + 1));
    // The worker did write state: the log, checkpoints, de-duplication, the dead letter and the vault.
    expect(names.some((name) => name.endsWith('worker.log'))).toBe(true);
    expect(names.some((name) => /dead-letter/.test(name))).toBe(true);
    expect(statSync(join(stateDir, 'worker.log')).size).toBeGreaterThan(1_000);
    const haystacks = Object.fromEntries(
      files.map((file) => [file.slice(stateDir.length + 1), readFileSync(file, 'utf8')]),
    );
    expect(findLeaks(haystacks, needles)).toEqual([]);
  });
});
