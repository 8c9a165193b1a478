/**
 * Issue 17: every length and value set of a decision agrees end to end: the package's object metadata, the Apex that
 * writes it (AgentHITLService) and the worker's schemas (zod). A field longer than the worker accepts strands a
 * decision; a shorter one makes Apex fail the write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECISION_COMMENT_MAX, EDITED_ARGUMENTS_MAX, PendingRow } from '../../src/hitl/pending-record.ts';
import { DecisionValue, HitlDecisionEvent } from '../../src/runtime/jobs.ts';

const APPROVALS = join(import.meta.dirname, '../../force-app/main/approvals');
const field = (object: string, name: string): string =>
  readFileSync(join(APPROVALS, 'objects', object, 'fields', `${name}.field-meta.xml`), 'utf8');
const lengthOf = (object: string, name: string): number =>
  Number(/<length>(\d+)<\/length>/.exec(field(object, name))?.[1]);
const apex = readFileSync(join(APPROVALS, 'classes/AgentHITLService.cls'), 'utf8');
const apexConstant = (name: string): number => Number(new RegExp(`${name} = (\\d+);`).exec(apex)?.[1]);

const row = (fields: Record<string, unknown>) => ({
  Id: 'a0P000000000001AAA',
  ActionKey__c: 'k',
  AgentExecution__c: 'a01000000000001AAA',
  TurnIdentifier__c: 't',
  ToolCallId__c: 'c',
  ToolName__c: 'x',
  HITLType__c: 'Approval',
  Status__c: 'Pending',
  RequestingUser__c: '005000000000001AAA',
  ToolArgumentsJSON__c: '{}',
  ...fields,
});

describe('decision lengths and values agree end to end', () => {
  it('comment: metadata, Apex and the worker all take 32,768 characters', () => {
    expect(lengthOf('PendingHITLAction__c', 'DecisionComment__c')).toBe(DECISION_COMMENT_MAX);
    expect(lengthOf('PendingHITLAction__c', 'ResolutionComment__c')).toBe(DECISION_COMMENT_MAX);
    expect(apexConstant('MAX_COMMENT_LENGTH')).toBe(DECISION_COMMENT_MAX);
    expect(PendingRow.safeParse(row({ DecisionComment__c: 'x'.repeat(DECISION_COMMENT_MAX) })).success).toBe(true);
    expect(PendingRow.safeParse(row({ DecisionComment__c: 'x'.repeat(DECISION_COMMENT_MAX + 1) })).success).toBe(false);
  });

  it('edited arguments: metadata, Apex and the worker all take 131,072 characters', () => {
    for (const name of ['ProposedArgumentsJSON__c', 'ReviewedArgumentsJSON__c', 'ToolArgumentsJSON__c'])
      expect(lengthOf('PendingHITLAction__c', name), name).toBe(EDITED_ARGUMENTS_MAX);
    expect(apexConstant('MAX_EDITED_ARGUMENTS_LENGTH')).toBe(EDITED_ARGUMENTS_MAX);
    expect(PendingRow.safeParse(row({ ProposedArgumentsJSON__c: 'x'.repeat(EDITED_ARGUMENTS_MAX) })).success).toBe(
      true,
    );
    expect(PendingRow.safeParse(row({ ProposedArgumentsJSON__c: 'x'.repeat(EDITED_ARGUMENTS_MAX + 1) })).success).toBe(
      false,
    );
  });

  it('the request ID fits both fields and the worker schema (a UUID, 36 characters)', () => {
    expect(lengthOf('PendingHITLAction__c', 'DecisionRequestId__c')).toBe(36);
    expect(lengthOf('AgentHITLDecision__e', 'DecisionRequestId__c')).toBe(36);
    const event = {
      PendingActionId__c: 'a0P000000000001AAA',
      Decision__c: 'Approve',
      CreatedById: '005000000000001AAA',
      CreatedDate: '2026-12-07T10:00:00Z',
    };
    expect(HitlDecisionEvent.safeParse({ ...event, DecisionRequestId__c: crypto.randomUUID() }).success).toBe(true);
    expect(HitlDecisionEvent.safeParse({ ...event, DecisionRequestId__c: 'x'.repeat(37) }).success).toBe(false);
  });

  it('the decision is the same restricted set in the picklist, Apex and the worker; case variants are not values', () => {
    const picklist = field('PendingHITLAction__c', 'RequestedDecision__c');
    expect(picklist).toContain('<restricted>true</restricted>');
    const values = [...picklist.matchAll(/<fullName>([^<]+)<\/fullName>/g)].map((match) => match[1]).slice(1);
    expect(values).toEqual(['Confirm', 'Approve', 'Reject', 'Decline']);
    expect(DecisionValue.options.filter((value) => value !== 'Run')).toEqual(values);
    expect(/DECISIONS = new List<String>\{ CONFIRM, APPROVE, REJECT, DECLINE \}/.test(apex)).toBe(true);
    for (const value of values) expect(apex).toContain(`'${value}'`);
    expect(DecisionValue.safeParse('approve').success).toBe(false);
    expect(PendingRow.safeParse(row({ RequestedDecision__c: 'approve' })).success).toBe(false);
    // The event's text field holds every value (platform event fields cannot be picklists).
    expect(lengthOf('AgentHITLDecision__e', 'Decision__c')).toBeGreaterThanOrEqual(
      Math.max(...DecisionValue.options.map((value) => value.length)),
    );
  });
});
