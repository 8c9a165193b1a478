/**
 * Secrets and PII: turns run with the seed's PII in records and in user messages, then every log line (trace level),
 * every request the model received and every audit record is scanned for the seeded values and for the credentials the
 * worker holds (private key, access tokens, vault key). Zero hits outside the answer shown to the requesting user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LENDING_SCRIPT } from '../../src/dev/lending-agent.ts';
import { FileTokenVault } from '../../src/governance/pii/index.ts';
import { devCredentials } from '../support/emulator.ts';
import { findLeaks, startAbuseKit, USERS, type AbuseKit } from '../support/chaos/abuse-kit.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const VAULT_KEY = 'vault-key-for-the-secrets-scan-0123456789abcdef';
let kit: AbuseKit;
let vaultDir: string;

beforeAll(async () => {
  vaultDir = mkdtempSync(join(tmpdir(), 'loom-secrets-'));
  kit = await startAbuseKit({ runtime: { vault: new FileTokenVault(vaultDir, VAULT_KEY) } });
});
afterAll(async () => {
  await kit?.close();
  rmSync(vaultDir, { recursive: true, force: true });
});

const CONTACTS_SCRIPT = {
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
    // Classified fields reached through a parent relationship and inside child-subquery rows are masked like top-level ones.
    {
      when: { lastUserMessage: 'applicants', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: 'SELECT Name, Applicant__r.LastName, Applicant__r.SSN__c FROM Loan_Application__c' },
          },
        ],
      },
    },
    {
      when: { lastUserMessage: 'applicants' },
      respond: { text: 'First applicant SSN {{lastToolResult.records.0.Applicant__r.SSN__c}}.' },
    },
    {
      when: { lastUserMessage: 'accounts', turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: { query: 'SELECT Name, (SELECT LastName, SSN__c FROM Contacts) FROM Account' },
          },
        ],
      },
    },
    {
      when: { lastUserMessage: 'accounts' },
      respond: { text: 'First account contact SSN {{lastToolResult.records.0.Contacts.records.0.SSN__c}}.' },
    },
    ...LENDING_SCRIPT.rules,
  ],
};

describe('secrets and PII never leave where they belong', () => {
  it('scans logs, model requests and audit records after PII-heavy turns: zero hits', async () => {
    const admin = kit.harness.clientFor(USERS.admin);
    const contacts = await admin.query<Record<string, string | null>>('SELECT Email, Phone, SSN__c FROM Contact');
    const pii = contacts.records
      .flatMap((record) => [record.Email, record.Phone, record.SSN__c])
      .filter((value): value is string => typeof value === 'string');
    expect(pii.length).toBeGreaterThan(12);
    // Free-text SSNs are detected by issuance rules; the seed's 9xx numbers are never-issued, so a pasted one uses a valid area.
    pii.push('536-22-1234', '4111 1111 1111 1111');

    kit.useScript(CONTACTS_SCRIPT);
    const turns = [
      await kit.run(USERS.underwriter, kit.harness.agentId, 'List the contacts with their details'),
      await kit.run(
        USERS.officer,
        kit.harness.agentId,
        'Customer SSN 536-22-1234, card 4111 1111 1111 1111, mail maria.alvarez@example.com, phone +1 415 555 0111: which open applications do we have?',
      ),
      await kit.run(USERS.underwriter, kit.harness.agentId, 'What is the risk tier of HL-1001?'),
      await kit.run(USERS.officer, kit.harness.agentId, 'Summarize application HL-1003'),
      await kit.run(USERS.underwriter, kit.harness.agentId, 'List the applicants of our applications'),
      await kit.run(USERS.underwriter, kit.harness.agentId, 'List the accounts with their contacts'),
    ];
    expect(turns.map((turn) => turn.outcome.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
      'completed',
    ]);
    // The requesting underwriter is shown the real values: the masking is reversible for them, not for the model.
    const { records: shown } = await admin.query<{ Content__c: string }>(
      `SELECT Content__c FROM InteractionMessage__c WHERE AgentExecution__c = '${turns[0]!.executionId}' AND Direction__c = 'Outbound'`,
    );
    expect(shown[0]?.Content__c).toMatch(/@example\.com, SSN 900-/);
    for (const turn of turns.slice(4)) {
      const { records: answer } = await admin.query<{ Content__c: string }>(
        `SELECT Content__c FROM InteractionMessage__c WHERE AgentExecution__c = '${turn.executionId}' AND Direction__c = 'Outbound'`,
      );
      expect(answer[0]?.Content__c).toMatch(/SSN 900-\d\d-\d{4}\./);
    }

    const { privateKeyPem } = devCredentials(kit.emulator);
    const keyLines = privateKeyPem.split('\n').filter((line) => line.length > 40);
    const tokens: string[] = [];
    for (const user of [USERS.worker, USERS.officer, USERS.underwriter, USERS.admin])
      tokens.push((await kit.harness.pool.session(user)).accessToken);
    const secrets = [...keyLines, ...tokens, VAULT_KEY];

    const audit = [
      ...kit.emulator.admin.records('ExecutionStep__c'),
      ...kit.emulator.admin.records('AgentDecisionStep__c'),
    ];
    const haystacks = {
      logs: kit.logLines.join(''),
      model: JSON.stringify(kit.modelRequests()),
      audit: JSON.stringify(audit),
    };
    expect(kit.logLines.length).toBeGreaterThan(3);
    expect(audit.length).toBeGreaterThan(20);
    const leaks = [...findLeaks(haystacks, pii), ...findLeaks(haystacks, secrets)];
    expect(leaks.map((leak) => `${leak.where}: ${leak.needle.slice(0, 12)}…`)).toEqual([]);
  });
});
