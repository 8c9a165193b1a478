/**
 * Flow and invocable Apex tools: `POST /actions/custom/{flow|apex}/{name}` with the validated arguments as the one
 * input, as the user (or the opted-in service identity). Salesforce's per-input result is read strictly: success gives
 * the output values, failure gives every error with its code, so the model can tell "not allowed" from "bad input".
 */
import { z } from 'zod';
import { SalesforceError, type SalesforceClient } from '../../salesforce/rest-client.ts';
import type { ToolDefinition, ToolOutcome } from '../ports.ts';

const ACTION_NAME = /^[A-Za-z][A-Za-z0-9_]*(?:__[A-Za-z0-9_]+)?$/;

const ErrorEntry = z
  .object({
    statusCode: z.string().optional(),
    errorCode: z.string().optional(),
    message: z.string().optional(),
    fields: z.array(z.string()).nullish(),
  })
  .loose();
const InvocationResult = z
  .object({
    actionName: z.string().optional(),
    isSuccess: z.boolean(),
    errors: z.array(ErrorEntry).nullish(),
    outputValues: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
const InvocationResponse = z.array(InvocationResult).length(1, 'expected exactly one result for the one input sent');

const PERMISSION_CODES =
  /^(INSUFFICIENT_ACCESS|INVALID_FIELD|INVALID_TYPE$|INVALID_CROSS_REFERENCE_KEY|ENTITY_IS_DELETED)/;
const INPUT_CODES = new Set([
  'REQUIRED_FIELD_MISSING',
  'INVALID_INPUT',
  'INVALID_TYPE_FOR_OPERATION',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'STRING_TOO_LONG',
  'INVALID_EMAIL_ADDRESS',
]);

export async function invokeAction(
  client: SalesforceClient,
  tool: ToolDefinition,
  args: Record<string, unknown>,
): Promise<ToolOutcome> {
  const kind = tool.implementationType === 'Flow' ? 'flow' : tool.implementationType === 'Apex' ? 'apex' : null;
  const label = kind === 'flow' ? 'flow' : 'Apex action';
  if (!kind || !ACTION_NAME.test(tool.implementationDetail)) {
    return failure(
      'Configuration',
      `The tool "${tool.name}" has no runnable implementation configured (ImplementationDetail__c must be the ${label} API name).`,
    );
  }
  let raw: unknown;
  try {
    raw = await client.request<unknown>('POST', `/actions/custom/${kind}/${tool.implementationDetail}`, {
      inputs: [args],
    });
  } catch (error) {
    if (!(error instanceof SalesforceError) || error.retryable) throw error;
    // Some org versions answer a failed invocation with HTTP 400 and the same result array (jsforce keeps it as text).
    const embedded = parseEmbedded(error.message);
    if (embedded) raw = embedded;
    else if (error.errorCode === 'NOT_FOUND')
      return failure(
        'Configuration',
        `The ${label} "${tool.implementationDetail}" does not exist or this user cannot run it.`,
      );
    else return failure(error.category, `Salesforce refused the ${label}: ${error.errorCode}: ${error.message.trim()}`);
  }
  const parsed = InvocationResponse.safeParse(raw);
  if (!parsed.success)
    return failure(
      'ActionFailed',
      `The ${label} "${tool.implementationDetail}" returned an unexpected response: ${z.prettifyError(parsed.error)}`,
    );
  const result = parsed.data[0] as z.infer<typeof InvocationResult>;
  if (result.isSuccess) {
    // Flow bookkeeping (Flow__InterviewStatus, Flow__InterviewGuid) means nothing to the model.
    const outputs = Object.fromEntries(
      Object.entries(result.outputValues ?? {}).filter(([name]) => !name.startsWith('Flow__')),
    );
    return { ok: true, result: outputs };
  }
  const errors = (result.errors ?? []).map((entry) => ({
    code: entry.statusCode ?? entry.errorCode ?? 'UNKNOWN',
    message: (entry.message ?? '').trim(),
    ...(entry.fields && entry.fields.length > 0 ? { fields: entry.fields } : {}),
  }));
  const codes = errors.map((entry) => entry.code);
  const category = codes.some((code) => PERMISSION_CODES.test(code))
    ? 'PermissionDenied'
    : codes.length > 0 && codes.every((code) => INPUT_CODES.has(code))
      ? 'InvalidArguments'
      : 'ActionFailed';
  return {
    ok: false,
    errorCategory: category,
    result: { error: `The ${label} "${tool.implementationDetail}" failed; nothing it did was saved.`, errors },
  };
}

function parseEmbedded(message: string): unknown {
  try {
    const value: unknown = JSON.parse(message);
    return Array.isArray(value) &&
      value.every((entry) => typeof entry === 'object' && entry !== null && 'isSuccess' in entry)
      ? value
      : null;
  } catch {
    return null;
  }
}

function failure(category: string, message: string): ToolOutcome {
  return { ok: false, errorCategory: category, result: { error: message } };
}
