import { describe, expect, it } from 'vitest';
import { signedAction, verifiedArgs } from '../../../src/hitl/continuation.ts';
import type { PendingRow } from '../../../src/hitl/pending-record.ts';
import { ArgumentSigner, canonicalJson, type SignedAction } from '../../../src/hitl/signature.ts';

const signer = new ArgumentSigner('k'.repeat(40));
const args = { recordId: 'a0A1', fields: { Amount__c: 31000 } };
const action: SignedAction = {
  executionId: 'a01000000000001AAA',
  turnId: 't-1',
  toolCallId: 'call_1',
  toolName: 'async_update',
  args,
};

function row(type: PendingRow['HITLType__c'], signature: string): PendingRow {
  return {
    Id: 'a0P000000000001AAA',
    Name: null,
    ActionKey__c: 'key',
    AgentExecution__c: action.executionId,
    AgentCapability__c: 'a03000000000001AAA',
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
    RequestedDecision__c: null,
    DecisionRequestId__c: null,
    DecisionComment__c: null,
    ProposedArgumentsJSON__c: null,
    AgentCapability__r: {
      AIAgentDefinition__c: 'a00000000000001AAA',
      CapabilityName__c: action.toolName,
      ImplementationType__c: 'Standard',
      StandardActionType__c: 'UpdateRecord',
      ImplementationDetail__c: null,
      HITLMode__c: 'Approval',
      ApprovalPolicy__c: null,
      RunAsynchronously__c: false,
      BackendConfiguration__c: '{"object":"Loan_Application__c"}',
      Parameters__c: null,
      AllowApproverEdits__c: false,
      HITLNotificationPreference__c: null,
    },
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

  it('runs an intact row signed with its type and identity (v3) and refuses rows re-typed or signed by older workers', () => {
    const asyncRow = row('Asynchronous', '');
    const bound = (type: PendingRow['HITLType__c']) =>
      signer.sign(signedAction({ ...asyncRow, HITLType__c: type }, args));
    expect(verifiedArgs(signer, row('Asynchronous', bound('Asynchronous')))).toEqual(args);
    // An Approval turned into Asynchronous to skip the approver.
    expect(verifiedArgs(signer, row('Asynchronous', bound('Approval')))).toBeNull();
    // An asynchronous action turned into a Confirmation the requester could decide.
    expect(verifiedArgs(signer, row('Confirmation', bound('Asynchronous')))).toBeNull();
    // v1/v2 rows bound neither requester nor agent: the worker no longer accepts them.
    expect(verifiedArgs(signer, row('Approval', signer.sign(action)))).toBeNull();
    expect(verifiedArgs(signer, row('Asynchronous', signer.sign({ ...action, hitlType: 'Asynchronous' })))).toBeNull();
  });

  it('binds the requester, the agent, the capability and its version', () => {
    const intact = row('Approval', '');
    const signature = signer.sign(signedAction(intact, args));
    expect(verifiedArgs(signer, { ...intact, ArgumentsSignature__c: signature })).toEqual(args);
    const capability = intact.AgentCapability__r as NonNullable<PendingRow['AgentCapability__r']>;
    for (const changed of [
      { ...intact, RequestingUser__c: '005000000000002AAA' },
      { ...intact, AgentCapability__c: 'a03000000000009AAA' },
      { ...intact, AgentCapability__r: { ...capability, AIAgentDefinition__c: 'a00000000000009AAA' } },
      { ...intact, AgentCapability__r: { ...capability, HITLMode__c: 'Confirmation' } },
      { ...intact, AgentCapability__r: { ...capability, BackendConfiguration__c: '{"object":"Account"}' } },
    ]) {
      expect(verifiedArgs(signer, { ...changed, ArgumentsSignature__c: signature })).toBeNull();
    }
  });
});
