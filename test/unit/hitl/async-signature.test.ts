import { describe, expect, it } from 'vitest';
import { verifiedArgs } from '../../../src/hitl/continuation.ts';
import type { PendingRow } from '../../../src/hitl/pending-record.ts';
import { ArgumentSigner, canonicalJson, type SignedAction } from '../../../src/hitl/signature.ts';

const signer = new ArgumentSigner('k'.repeat(40));
const args = { recordId: 'a0A1', fields: { Amount__c: 31000 } };
const action: SignedAction = { executionId: 'a01000000000001AAA', turnId: 't-1', toolCallId: 'call_1', toolName: 'async_update', args };

function row(type: PendingRow['HITLType__c'], signature: string): PendingRow {
  return {
    Id: 'a0P000000000001AAA',
    Name: null,
    ActionKey__c: 'key',
    AgentExecution__c: action.executionId,
    AgentCapability__c: null,
    TurnIdentifier__c: action.turnId,
    ToolCallId__c: action.toolCallId,
    ToolName__c: action.toolName,
    HITLType__c: type,
    Status__c: 'Pending',
    RequestingUser__c: '005000000000001AAA',
    Approver__c: null,
    ToolArgumentsJSON__c: canonicalJson(args),
    ReviewedArgumentsJSON__c: null,
    ArgumentsSignature__c: signature,
    ExpiresAt__c: null,
    RequestedAt__c: null,
    PolicyReason__c: null,
  };
}

describe('typed signatures (asynchronous actions)', () => {
  it('binds the HITL type as v2 and keeps untyped signatures v1', () => {
    const typed = signer.sign({ ...action, hitlType: 'Asynchronous' });
    expect(typed).toMatch(/^v2\.[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(typed, { ...action, hitlType: 'Asynchronous' })).toBe(true);
    expect(signer.verify(typed, { ...action, hitlType: 'Approval' })).toBe(false);
    expect(signer.verify(typed, action)).toBe(false);
    expect(signer.verify(signer.sign(action), { ...action, hitlType: 'Asynchronous' })).toBe(false);
  });

  it('runs an intact asynchronous row and refuses rows re-typed in either direction', () => {
    const asyncSignature = signer.sign({ ...action, hitlType: 'Asynchronous' });
    expect(verifiedArgs(signer, row('Asynchronous', asyncSignature))).toEqual(args);
    // An Approval (v1) turned into Asynchronous to skip the approver.
    expect(verifiedArgs(signer, row('Asynchronous', signer.sign(action)))).toBeNull();
    // An asynchronous action turned into a Confirmation the requester could decide.
    expect(verifiedArgs(signer, row('Confirmation', asyncSignature))).toBeNull();
    // Untyped rows keep working as before.
    expect(verifiedArgs(signer, row('Approval', signer.sign(action)))).toEqual(args);
  });
});
