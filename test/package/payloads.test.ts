/**
 * The worker's real write payloads against the package: the builders run against a recording client, and every body
 * they would send is checked field by field against the object it targets in force-app (the field exists there and is
 * writable, the JSON type matches the field type, picklist values are defined, text fits, numbers fit their precision).
 * consistency.test.ts checks that names exist somewhere; this checks they exist on THAT object with a compatible type.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readForceAppMetadata, systemFields, type FieldMeta, type ObjectMeta } from '../../scripts/sf/lib/metadata.ts';
import { createHitlGate, publishRun } from '../../src/hitl/gate.ts';
import type { Notifier } from '../../src/hitl/notifier.ts';
import { ArgumentSigner } from '../../src/hitl/signature.ts';
import { salesforceErrorSteps } from '../../src/ingestion/error-step.ts';
import type { Logger } from '../../src/logger.ts';
import type { AgentConfig, Capability } from '../../src/runtime/agent-registry.ts';
import type { ToolDefinition } from '../../src/runtime/ports.ts';
import { writeTurn } from '../../src/runtime/audit-writer.ts';
import { recordTurn } from '../../src/runtime/start-turn.ts';
import { TurnRecorder, type StepRecord } from '../../src/runtime/turn-recorder.ts';
import type { SObjectWrite } from '../../src/schemas/records.ts';
import type { AgentExecution } from '../../src/schemas/sobjects.ts';
import type { SalesforceClient } from '../../src/salesforce/rest-client.ts';
import { FORCE_APP } from './support.ts';

const OBJECTS = new Map(readForceAppMetadata(FORCE_APP).map((o) => [o.name, o]));
const EXECUTION_ID = 'a0B5g00000AbCdEFGH';
const SESSION_ID = 'a0C5g00000AbCdEFGH';
const USER_ID = '0055g00000AbCdEFGH';
const APPROVER_ID = '0055g00000ZyXwVUTS';
const AGENT_ID = 'a0A5g00000AbCdEFGH';

interface Write {
  object: string;
  mode: 'create' | 'update' | 'upsert' | 'publish';
  body: Record<string, unknown>;
  where: string;
}

/** Field types Salesforce calculates: a body that sets one fails with INVALID_FIELD_FOR_INSERT_UPDATE. */
const CALCULATED_TYPES = new Set(['Summary', 'AutoNumber']);

/** Fields a create/update body may set on this object: its own non-calculated custom fields plus the writable system ones. */
function writableFields(
  object: ObjectMeta,
): Map<string, Pick<FieldMeta, 'name' | 'type' | 'length' | 'precision' | 'scale' | 'picklistValues'>> {
  const fields = new Map<
    string,
    Pick<FieldMeta, 'name' | 'type' | 'length' | 'precision' | 'scale' | 'picklistValues'>
  >(object.fields.filter((f) => !CALCULATED_TYPES.has(f.type)).map((f) => [f.name, f]));
  const system = systemFields(object);
  if (system['OwnerId'])
    fields.set('OwnerId', {
      name: 'OwnerId',
      type: 'Lookup',
      length: null,
      precision: null,
      scale: null,
      picklistValues: [],
    });
  const nameType = /<nameField>[\s\S]*?<type>(\w+)<\/type>[\s\S]*?<\/nameField>/.exec(
    readFileSync(object.file, 'utf8'),
  )?.[1];
  if (object.kind !== 'event' && nameType === 'Text')
    fields.set('Name', { name: 'Name', type: 'Text', length: 80, precision: null, scale: null, picklistValues: [] });
  return fields;
}

const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** A composite reference to an earlier subrequest's result, e.g. `@{session.id}`. */
const REFERENCE = /^@\{[A-Za-z0-9_]+(?:\.[A-Za-z0-9_[\]]+)+\}$/;

/** Why this value cannot go into this field, or null when it can. */
function valueProblem(
  field: Pick<FieldMeta, 'type' | 'length' | 'precision' | 'scale' | 'picklistValues'>,
  value: unknown,
): string | null {
  if (value === null) return null;
  switch (field.type) {
    case 'Checkbox':
      return typeof value === 'boolean' ? null : `a Checkbox takes a boolean, got ${typeof value}`;
    case 'Number':
    case 'Currency':
    case 'Percent': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return `a ${field.type} takes a finite number, got ${JSON.stringify(value)}`;
      const integerDigits = (field.precision ?? 18) - (field.scale ?? 0);
      return Math.abs(value) < 10 ** integerDigits ? null : `${value} has more than ${integerDigits} integer digits`;
    }
    case 'Lookup':
    case 'MasterDetail':
      return typeof value === 'string' && (ID.test(value) || REFERENCE.test(value))
        ? null
        : `a ${field.type} takes a record ID or a composite reference, got ${JSON.stringify(value)}`;
    case 'DateTime':
      return typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/.test(value)
        ? null
        : `a DateTime takes an ISO 8601 string, got ${JSON.stringify(value)}`;
    case 'Picklist':
      return typeof value === 'string' && field.picklistValues.includes(value)
        ? null
        : `${JSON.stringify(value)} is not one of ${field.picklistValues.join(', ')}`;
    case 'MultiselectPicklist':
      return typeof value === 'string' && value.split(';').every((v) => field.picklistValues.includes(v))
        ? null
        : `${JSON.stringify(value)} has a value outside ${field.picklistValues.join(', ')}`;
    case 'Text':
    case 'TextArea':
    case 'LongTextArea':
    case 'Email':
    case 'Url':
      if (typeof value !== 'string') return `a ${field.type} takes a string, got ${typeof value}`;
      if (REFERENCE.test(value)) return null;
      return field.length === null || value.length <= field.length
        ? null
        : `${value.length} characters exceed the length ${field.length}`;
    default:
      return `the worker does not write ${field.type} fields`;
  }
}

/** Every problem of one write body against force-app (an empty list when it fits). */
function problemsOf(write: Write): string[] {
  const object = OBJECTS.get(write.object);
  if (!object) return [`${write.where}: ${write.object} is not an object of the package`];
  if ((write.mode === 'publish') !== (object.kind === 'event'))
    return [`${write.where}: ${write.mode} of ${object.kind} object ${write.object}`];
  const fields = writableFields(object);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(write.body)) {
    if (key === 'attributes') continue;
    const field = fields.get(key);
    if (!field) {
      problems.push(`${write.where}: ${write.object} has no writable field ${key}`);
      continue;
    }
    if (value === undefined) continue;
    const problem = valueProblem(field, value);
    if (problem) problems.push(`${write.where}: ${write.object}.${key}: ${problem}`);
  }
  if (write.mode === 'create' || write.mode === 'upsert') {
    for (const f of object.fields) {
      if ((f.type === 'MasterDetail' || f.required) && !(f.name in write.body))
        problems.push(`${write.where}: ${write.object}.${f.name} is required to create the record`);
    }
  }
  return problems;
}

/** Splits a REST call (composite ones into their subrequests) into the record writes it carries. */
function writesOf(method: string, url: string, body: unknown, where = url): Write[] {
  const path = url.replace(/^\/services\/data\/v[\d.]+/, '').split('?')[0] ?? '';
  if (method === 'GET') return [];
  if (path === '/composite') {
    return (
      body as { compositeRequest: Array<{ method: string; url: string; body?: unknown; referenceId: string }> }
    ).compositeRequest.flatMap((sub) => writesOf(sub.method, sub.url, sub.body, `${where} ${sub.referenceId}`));
  }
  const collection = /^\/composite\/sobjects\/(\w+)\/(\w+)$/.exec(path);
  if (collection && method === 'PATCH') {
    const [, object = '', key = ''] = collection;
    return (body as { records: Array<Record<string, unknown>> }).records.map((record, index) => {
      const type = (record['attributes'] as { type?: string } | undefined)?.type;
      const problems =
        type === object && key in record
          ? record
          : { ...record, [`<attributes.type ${String(type)} or ${key} missing>`]: true };
      return { object, mode: 'upsert' as const, body: problems, where: `${where}[${index}]` };
    });
  }
  const single = /^\/sobjects\/(\w+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  if (!single) throw new Error(`unrecognised write ${method} ${url}`);
  const [, object = '', idOrKey, keyValue] = single;
  const record = body as Record<string, unknown>;
  if (method === 'POST' && idOrKey === undefined)
    return [{ object, mode: object.endsWith('__e') ? 'publish' : 'create', body: record, where }];
  if (method === 'PATCH' && idOrKey !== undefined && keyValue === undefined) {
    const target =
      ID.test(idOrKey) || REFERENCE.test(decodeURIComponent(idOrKey))
        ? record
        : { ...record, [`<${idOrKey} is not a record ID>`]: true };
    return [{ object, mode: 'update', body: target, where }];
  }
  if (method === 'PATCH' && idOrKey !== undefined && keyValue !== undefined) {
    const external = OBJECTS.get(object)?.fields.find((f) => f.name === idOrKey);
    if (!external?.externalId)
      return [{ object, mode: 'upsert', body: { ...record, [`<${idOrKey} is not an external ID>`]: true }, where }];
    // The key travels in the URL: count it as present for the required-field check, validate its value too.
    return [{ object, mode: 'upsert', body: { [idOrKey]: decodeURIComponent(keyValue), ...record }, where }];
  }
  throw new Error(`unrecognised write ${method} ${url}`);
}

/** A SalesforceClient that records every call and answers like a healthy org. */
function recordingClient(answers: { query?: (soql: string) => Array<Record<string, unknown>> } = {}) {
  const writes: Write[] = [];
  const client = {
    apiVersion: '62.0',
    async userId() {
      return USER_ID;
    },
    async query(soql: string) {
      const records = answers.query?.(soql) ?? [];
      return { totalSize: records.length, records };
    },
    async upsertMany(objectName: string, externalIdField: string, records: Array<Record<string, unknown>>) {
      writes.push(
        ...writesOf('PATCH', `/composite/sobjects/${objectName}/${externalIdField}`, {
          records: records.map((r) => ({ attributes: { type: objectName }, ...r })),
        }),
      );
      return records.map(() => ({ success: true, errors: [] }));
    },
    async request(method: string, path: string, body?: unknown) {
      writes.push(...writesOf(method, path, body));
      if (path.endsWith('/composite')) {
        const subs = (body as { compositeRequest: Array<{ referenceId: string; url: string }> }).compositeRequest;
        return {
          compositeResponse: subs.map((sub) => ({
            referenceId: sub.referenceId,
            httpStatusCode: 200,
            body: sub.url.includes('/composite/sobjects')
              ? [{ success: true }]
              : sub.url.includes('/query?')
                ? { records: [{ Id: EXECUTION_ID }] }
                : { id: EXECUTION_ID, success: true },
          })),
        };
      }
      return { success: true, errors: [{ statusCode: 'OPERATION_ENQUEUED' }] };
    },
  };
  return { client: client as unknown as SalesforceClient, writes };
}

/** One step of every kind the loop records, with every optional input set (and one oversize text to clip). */
function fullRecorder(): TurnRecorder {
  const recorder = new TurnRecorder(EXECUTION_ID, 'turn-7f3a', 1, () => new Date('2025-03-01T10:00:00.000Z'));
  recorder.record({ type: 'UserInput', role: 'User', content: 'Please raise the limit' });
  recorder.record({ type: 'LLMRequest', role: 'System', content: 'x'.repeat(200_000), model: 'gpt-4o-mini' });
  recorder.record({
    type: 'LLMResponse',
    role: 'Assistant',
    content: 'Calling a tool',
    promptTokens: 1_234,
    completionTokens: 56,
    totalTokens: 1_290,
    costUsd: 0.001234567,
    durationMs: 842,
    model: 'gpt-4o-mini',
    rationale: 'The user asked for it',
  });
  recorder.record({
    type: 'ToolCall',
    role: 'Assistant',
    toolName: 'update_limit',
    toolCallId: 'call_1',
    toolArguments: '{"amount":5}',
    rationale: 'needed',
    executionIdentity: 'svc@lending.test',
  });
  recorder.record({
    type: 'ToolResult',
    role: 'Tool',
    toolName: 'update_limit',
    toolCallId: 'call_1',
    toolResult: '{"ok":true}',
    durationMs: 12,
  });
  recorder.record({
    type: 'SafetyCheck',
    role: 'System',
    content: 'Prompt safety: block.',
    safetyScore: 0.91234,
    safetyCategories: ['injection'],
    errorCategory: 'SafetyBlocked',
  });
  recorder.record({ type: 'Masking', role: 'System', content: 'Masked 2 entities' });
  recorder.record({
    type: 'Approval',
    role: 'User',
    toolName: 'update_limit',
    toolCallId: 'call_1',
    content: 'Approved',
  });
  recorder.record({
    type: 'Error',
    role: 'System',
    content: 'Tool failed',
    isError: true,
    errorCategory: 'ToolFailed',
  });
  recorder.record({ type: 'AgentResponse', role: 'Assistant', content: 'Done' });
  for (const outcome of ['Success', 'Failure', 'Pending', 'Blocked'] as const) {
    recorder.decision({
      title: `Tool ${outcome}`.repeat(40),
      detail: 'detail',
      toolName: 'update_limit',
      rationale: 'why',
      outcome,
    });
    recorder.decision({ title: `Answer ${outcome}`, outcome });
  }
  return recorder;
}

const capability = (overrides: Partial<Capability>): Capability =>
  ({
    Id: 'a0D5g00000AbCdEFGH',
    CapabilityName__c: 'update_limit',
    HITLMode__c: '',
    ApprovalPolicy__c: '',
    ApprovalExpiryHours__c: 72,
    AllowApproverEdits__c: false,
    RunAsynchronously__c: false,
    IsActive__c: true,
    parameters: {},
    backend: {},
    ...overrides,
  }) as Capability;

/** The pending-action records the HITL gate holds for each kind of hold, as the turn's audit write carries them. */
async function heldActions(): Promise<Array<Record<string, unknown> & { ActionKey__c: string }>> {
  const capabilities = [
    capability({ Id: 'a0D5g00000AbCdEFG1', HITLMode__c: 'Confirmation' }),
    capability({
      Id: 'a0D5g00000AbCdEFG2',
      HITLMode__c: 'Approval',
      backend: { approval: { approverUsername: 'approver@lending.test' } },
    }),
    capability({
      Id: 'a0D5g00000AbCdEFG3',
      HITLMode__c: 'ConfirmationThenApproval',
      backend: { approval: { queue: 'Loan_Approvers' } },
    }),
    capability({ Id: 'a0D5g00000AbCdEFG4', RunAsynchronously__c: true }),
  ];
  const { client } = recordingClient({
    query: (soql) =>
      soql.includes('FROM User')
        ? [{ Id: APPROVER_ID, Username: 'approver@lending.test', Name: 'Ann Approver', IsActive: true }]
        : [],
  });
  const gate = createHitlGate(
    {
      integration: client,
      signer: new ArgumentSigner('k'.repeat(32)),
      notifier: {} as Notifier,
      logger: {} as Logger,
      now: () => new Date('2025-03-01T10:00:00.000Z'),
    },
    {
      agent: { id: 'a005g00000AgEnT001', capabilities } as unknown as AgentConfig,
      execution: { Id: EXECUTION_ID },
      turnId: 'turn-7f3a',
      userId: USER_ID,
      recorder: new TurnRecorder(EXECUTION_ID, 'turn-7f3a'),
    },
  );
  for (const [index, cap] of capabilities.entries()) {
    const tool: ToolDefinition = {
      name: cap.CapabilityName__c,
      description: 'd',
      parameters: {},
      capabilityId: cap.Id,
      hitlMode: cap.HITLMode__c,
      implementationType: 'Flow',
      implementationDetail: 'Update_Limit',
      backendConfiguration: cap.backend,
      sideEffects: true,
    };
    const decision = await gate.review({
      tool,
      toolCallId: `call_${index}`,
      args: { amount: 500 + index },
      modelRequestedApproval: false,
    });
    expect(decision.decision).toBe('hold');
  }
  return gate.takeWrites?.() ?? [];
}

describe('the checker', () => {
  const check = (object: string, body: Record<string, unknown>, mode: Write['mode'] = 'update') =>
    problemsOf({ object, mode, body, where: 'w' });

  it('accepts a body that fits the object', () => {
    expect(
      check(
        'ExecutionStep__c',
        {
          StepKey__c: 'k',
          AgentExecution__c: EXECUTION_ID,
          StepType__c: 'ToolCall',
          Sequence__c: 3,
          IsError__c: false,
          Timestamp__c: '2025-03-01T10:00:00.000Z',
          LastX: undefined,
        },
        'upsert',
      ),
    ).toEqual(['w: ExecutionStep__c has no writable field LastX']);
    expect(
      check('AgentExecution__c', { ExecutionStatus__c: 'Completed', LastError__c: null, TotalCostUSD__c: 0.5 }),
    ).toEqual([]);
  });

  it('rejects a field of another object, a system field, a roll-up, wrong JSON types, unknown picklist values, long text and big numbers', () => {
    expect(
      check('AgentExecution__c', { StepType__c: 'ToolCall', CreatedDate: '2025-03-01T10:00:00Z', StepCount__c: 3 }),
    ).toEqual([
      'w: AgentExecution__c has no writable field StepType__c',
      'w: AgentExecution__c has no writable field CreatedDate',
      'w: AgentExecution__c has no writable field StepCount__c',
    ]);
    expect(
      check('AgentExecution__c', {
        TotalPromptTokens__c: '3',
        ExecutionStatus__c: 'Done',
        CurrentTurnIdentifier__c: 't'.repeat(65),
        TotalTokens__c: 1e30,
        RequestingUser__c: 'bob',
      }),
    ).toEqual([
      expect.stringContaining('TotalPromptTokens__c: a Number takes a finite number'),
      expect.stringContaining('ExecutionStatus__c: "Done" is not one of'),
      expect.stringContaining('CurrentTurnIdentifier__c: 65 characters exceed the length 64'),
      expect.stringContaining('TotalTokens__c: 1e+30 has more than'),
      expect.stringContaining('RequestingUser__c: a Lookup takes a record ID'),
    ]);
    expect(check('ExecutionStep__c', { IsError__c: 'true', Timestamp__c: 'yesterday' })).toEqual([
      expect.stringContaining('a Checkbox takes a boolean'),
      expect.stringContaining('a DateTime takes an ISO 8601 string'),
    ]);
  });

  it('requires the master-detail parent on create, refuses events written as records and unknown objects', () => {
    expect(check('ExecutionStep__c', { StepKey__c: 'k' }, 'create')).toEqual([
      'w: ExecutionStep__c.AgentExecution__c is required to create the record',
    ]);
    expect(check('ExecutionStep__c', { AgentExecution__c: EXECUTION_ID }, 'upsert')).toEqual([
      'w: ExecutionStep__c.StepKey__c is required to create the record',
    ]);
    expect(check('AgentTurnResult__e', { Status__c: 'Completed' }, 'create')).toEqual([
      'w: create of event object AgentTurnResult__e',
    ]);
    expect(check('Ghost__c', {})).toEqual(['w: Ghost__c is not an object of the package']);
  });

  it('reads composite requests, collections and external-ID upserts', () => {
    const writes = writesOf('POST', '/services/data/v62.0/composite', {
      compositeRequest: [
        { method: 'GET', url: '/services/data/v62.0/query?q=SELECT', referenceId: 'q' },
        {
          method: 'PATCH',
          url: '/services/data/v62.0/composite/sobjects/ExecutionStep__c/StepKey__c',
          referenceId: 'steps',
          body: { records: [{ attributes: { type: 'AgentExecution__c' }, StepKey__c: 'a' }] },
        },
        {
          method: 'PATCH',
          url: '/services/data/v62.0/sobjects/InteractionMessage__c/Content__c/x',
          referenceId: 'message',
          body: {},
        },
        {
          method: 'PATCH',
          url: '/services/data/v62.0/sobjects/AgentExecution__c/not-an-id',
          referenceId: 'execution',
          body: {},
        },
      ],
    });
    expect(writes.flatMap(problemsOf)).toEqual([
      expect.stringContaining(
        'ExecutionStep__c has no writable field <attributes.type AgentExecution__c or StepKey__c missing>',
      ),
      expect.stringContaining('ExecutionStep__c.AgentExecution__c is required'),
      expect.stringContaining('InteractionMessage__c has no writable field <Content__c is not an external ID>'),
      expect.stringContaining('InteractionMessage__c.InteractionSession__c is required'),
      expect.stringContaining('AgentExecution__c has no writable field <not-an-id is not a record ID>'),
    ]);
  });
});

describe('the payload types (checked by tsc: an unused @ts-expect-error fails the typecheck)', () => {
  it('reject a field of another object, a wrong JSON type, an undefined picklist value and a system field', () => {
    const rows: StepRecord[] = [
      { StepKey__c: 'k', StepType__c: 'ToolCall', Sequence__c: 1, IsError__c: false, AgentExecution__c: null },
      // @ts-expect-error ExecutionStatus__c is a field of AgentExecution__c, not of ExecutionStep__c
      { ExecutionStatus__c: 'Completed' },
      // @ts-expect-error Sequence__c is a Number
      { Sequence__c: '1' },
      // @ts-expect-error 'Thinking' is not a StepType__c value
      { StepType__c: 'Thinking' },
      // @ts-expect-error CreatedDate is set by the platform
      { CreatedDate: '2025-03-01T10:00:00Z' },
    ];
    const loose: SObjectWrite<typeof AgentExecution, 'text'> = {
      ExecutionStatus__c: 'any string passes through',
      TotalTokens__c: 1,
    };
    // @ts-expect-error even loosely typed, IsError__c is not a field of AgentExecution__c
    const wrong: SObjectWrite<typeof AgentExecution, 'text'> = { IsError__c: true };
    // @ts-expect-error StepCount__c is a roll-up summary: Salesforce counts the steps, nobody writes it
    const calculated: SObjectWrite<typeof AgentExecution, 'text'> = { StepCount__c: 1 };
    expect(rows.length + Object.keys(loose).length + Object.keys(wrong).length + Object.keys(calculated).length).toBe(
      9,
    );
  });
});

describe("the worker's write payloads fit the package objects", () => {
  it('turn audit write: every step and decision kind, pending actions of every hold, message, execution totals, result event', async () => {
    const { client, writes } = recordingClient();
    const recorder = fullRecorder();
    const pendingActions = await heldActions();
    expect(pendingActions.map((action) => action['HITLType__c'])).toEqual([
      'Confirmation',
      'Approval',
      'ConfirmationThenApproval',
      'Asynchronous',
    ]);
    await writeTurn(client, {
      turnId: 'turn-7f3a',
      ...recorder.takePending(),
      pendingActions,
      message: {
        MessageKey__c: `${EXECUTION_ID}-${recorder.stepKey(0)}-out`,
        AgentExecution__c: EXECUTION_ID,
        InteractionSession__c: SESSION_ID,
        Direction__c: 'Outbound',
        Role__c: 'Assistant',
        Content__c: 'Done',
        TurnIdentifier__c: 'turn-7f3a',
      },
      execution: {
        id: EXECUTION_ID,
        fields: {
          ExecutionStatus__c: 'Awaiting Action',
          TotalPromptTokens__c: 1_234,
          TotalCompletionTokens__c: 56,
          TotalTokens__c: 1_290,
          TotalCostUSD__c: 0.001235,
          LastError__c: null,
        },
      },
      result: { AgentExecutionId__c: EXECUTION_ID, TurnIdentifier__c: 'turn-7f3a', Status__c: 'Awaiting Action' },
    });
    expect(writes.map((w) => `${w.mode} ${w.object}`).sort()).toEqual(
      [
        ...Array<string>(8).fill('upsert AgentDecisionStep__c'),
        ...Array<string>(10).fill('upsert ExecutionStep__c'),
        'upsert InteractionMessage__c',
        ...Array<string>(4).fill('upsert PendingHITLAction__c'),
        'publish AgentTurnResult__e',
        'update AgentExecution__c',
      ].sort(),
    );
    expect(writes.flatMap(problemsOf)).toEqual([]);
  });

  it('starting a turn: a new conversation and a continued one', async () => {
    const { client, writes } = recordingClient();
    await recordTurn(client, {
      agentId: AGENT_ID,
      message: 'Hello',
      sourceRecordId: '0015g00000AbCdEFGH',
      channel: 'Slack',
      triggerSource: 'Flow',
    });
    await recordTurn(client, { agentId: AGENT_ID, message: 'Again', executionId: EXECUTION_ID, sessionId: SESSION_ID });
    expect(writes.map((w) => `${w.mode} ${w.object}`)).toEqual([
      'create InteractionSession__c',
      'create AgentExecution__c',
      'create InteractionMessage__c',
      'update AgentExecution__c',
      'create InteractionMessage__c',
    ]);
    expect(writes.flatMap(problemsOf)).toEqual([]);
  });

  it('error steps of a malformed event and of an abandoned turn, and the Run decision of an asynchronous hold', async () => {
    const { client, writes } = recordingClient({
      query: (soql) => (soql.includes('FROM AgentExecution__c') ? [{ InteractionSession__c: SESSION_ID }] : []),
    });
    const sink = salesforceErrorSteps(client);
    await sink.malformedEvent({ executionId: EXECUTION_ID, eventUuid: 'e1b2c3', reason: 'no turn identifier' });
    await sink.turnFailed({
      executionId: EXECUTION_ID,
      turnId: 'turn-7f3a',
      eventUuid: 'e1b2c3',
      reason: 'retries spent',
    });
    await publishRun(client, 'a0E5g00000AbCdEFGH');
    expect(writes.map((w) => `${w.mode} ${w.object}`)).toEqual([
      'upsert ExecutionStep__c',
      'upsert ExecutionStep__c',
      'upsert InteractionMessage__c',
      'update AgentExecution__c',
      'publish AgentTurnResult__e',
      'publish AgentHITLDecision__e',
    ]);
    expect(writes.flatMap(problemsOf)).toEqual([]);
  });
});
