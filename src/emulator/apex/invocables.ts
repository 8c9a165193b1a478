/**
 * The package's invocable Apex actions, served at `/services/data/vXX.X/actions/custom/apex/<Class>` as an org serves
 * an `@InvocableMethod` ("Invoke an Apex action: /vXX.X/actions/custom/apex/{apexClassName}",
 * https://developer.salesforce.com/docs/atlas.en-us.api_action.meta/api_action/actions_obj_apex.htm). Each spec
 * mirrors one class of force-app/: its method label, its Request and Result variables (names, labels, required), and
 * what it does, by calling the emulated service the class delegates to. test/contract/apex-drift.test.ts reads the
 * .cls files with the Apex parser and fails when a spec and its class disagree.
 */
import { isValidId } from '../org/ids.ts';
import { decide } from './agent-hitl-service.ts';
import { startTurns } from './agent-turn-service.ts';
import type { ApexContext } from './apex-runtime.ts';

export interface InvocableVariableSpec {
  name: string;
  label: string;
  /** The Apex type: `String`, `Id` or `Boolean` in this package. */
  type: 'String' | 'Id' | 'Boolean';
  required: boolean;
}

export interface InvocableSpec {
  className: string;
  label: string;
  category: string;
  inputs: InvocableVariableSpec[];
  outputs: InvocableVariableSpec[];
  /** The class's own catch-all prefix: it never throws, every request gets this message with the cause instead. */
  failurePrefix: string;
  run(ctx: ApexContext, requests: Array<Record<string, unknown>>): Array<Record<string, unknown>>;
}

const v = (
  name: string,
  label: string,
  type: InvocableVariableSpec['type'],
  required = false,
): InvocableVariableSpec => ({
  name,
  label,
  type,
  required,
});

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const START_AGENT_TURN_ACTION: InvocableSpec = {
  className: 'StartAgentTurnAction',
  label: 'Loom: Start Agent Turn',
  category: 'Loom',
  inputs: [
    v('agentDeveloperName', 'Agent Developer Name', 'String'),
    v('agentId', 'Agent ID', 'Id'),
    v('message', 'Message', 'String', true),
    v('sourceRecordId', 'Source Record ID', 'Id'),
    v('executionId', 'Existing Execution ID', 'Id'),
  ],
  outputs: [
    v('isSuccess', 'Success', 'Boolean'),
    v('errorMessage', 'Error Message', 'String'),
    v('executionId', 'Execution ID', 'Id'),
    v('sessionId', 'Session ID', 'Id'),
    v('messageId', 'Message ID', 'Id'),
    v('turnIdentifier', 'Turn Identifier', 'String'),
  ],
  failurePrefix: 'Loom could not start the turn: ',
  run(ctx, requests) {
    const results = startTurns(
      ctx,
      requests.map((request) => ({
        agentDeveloperName: text(request['agentDeveloperName']),
        agentId: text(request['agentId']),
        message: text(request['message']),
        sourceRecordId: text(request['sourceRecordId']),
        executionId: text(request['executionId']),
        channel: 'Flow',
        triggerSource: 'Flow',
      })),
    );
    return results.map((result) => ({
      isSuccess: result.isSuccess,
      errorMessage: result.errorMessage,
      executionId: result.executionId,
      sessionId: result.sessionId,
      messageId: result.messageId,
      turnIdentifier: result.turnIdentifier,
    }));
  },
};

export const DECIDE_PENDING_ACTION_ACTION: InvocableSpec = {
  className: 'DecidePendingActionAction',
  label: 'Loom: Decide Pending Action',
  category: 'Loom',
  inputs: [
    v('pendingActionId', 'Pending Action ID', 'Id', true),
    v('decision', 'Decision', 'String', true),
    v('comment', 'Comment', 'String'),
    v('editedArgumentsJson', 'Edited Arguments (JSON)', 'String'),
  ],
  outputs: [v('isSuccess', 'Success', 'Boolean'), v('errorMessage', 'Error Message', 'String')],
  failurePrefix: 'Loom could not record the decision: ',
  run(ctx, requests) {
    const results = decide(
      ctx,
      requests.map((request) => ({
        pendingActionId: text(request['pendingActionId']),
        decision: text(request['decision']),
        comment: text(request['comment']),
        editedArgumentsJson: text(request['editedArgumentsJson']),
      })),
    );
    return results.map((result) => ({ isSuccess: result.isSuccess, errorMessage: result.errorMessage }));
  },
};

export const PACKAGE_INVOCABLES: readonly InvocableSpec[] = [START_AGENT_TURN_ACTION, DECIDE_PENDING_ACTION_ACTION];

export function packageInvocable(name: string): InvocableSpec | undefined {
  return PACKAGE_INVOCABLES.find((spec) => spec.className.toLowerCase() === name.toLowerCase());
}

/** Why an input cannot become the class's Request (an element error, as the platform reports bad inputs), or null. */
export function inputError(
  spec: InvocableSpec,
  input: Record<string, unknown>,
): { statusCode: string; message: string } | null {
  const known = new Map(spec.inputs.map((variable) => [variable.name, variable]));
  for (const [key, value] of Object.entries(input)) {
    const variable = known.get(key);
    if (!variable) return { statusCode: 'INVALID_INPUT', message: `Invalid parameter: ${key}` };
    if (value === null || value === undefined) continue;
    if (variable.type === 'Boolean' ? typeof value !== 'boolean' : typeof value !== 'string')
      return { statusCode: 'INVALID_INPUT', message: `Invalid value for ${variable.name}: expected ${variable.type}` };
    if (variable.type === 'Id' && value !== '' && !isValidId(value))
      return { statusCode: 'INVALID_ID_FIELD', message: `Invalid id: ${String(value)}` };
  }
  const missing = spec.inputs.find(
    (variable) => variable.required && (input[variable.name] == null || input[variable.name] === ''),
  );
  return missing
    ? { statusCode: 'REQUIRED_FIELD_MISSING', message: `Missing required input parameter: ${missing.name}` }
    : null;
}

/** Empty strings for Id variables are null, as Flow passes an unset Id. */
export function canonicalInput(spec: InvocableSpec, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const variable of spec.inputs)
    if (variable.type === 'Id' && out[variable.name] === '') out[variable.name] = null;
  return out;
}
