import { createHash } from 'node:crypto';
import { PermanentError } from '../../errors.ts';
import type { HitlServices } from '../gate.ts';
import type { PendingRow } from '../pending-record.ts';
import type { StepError } from './types.ts';

/** The fields of one decision audit row on the held call's turn. */
export function stepFields(
  services: HitlServices,
  row: PendingRow,
  sequence: number,
  content: string,
  data: Record<string, unknown>,
  error: StepError,
): Record<string, unknown> {
  return {
    AgentExecution__c: row.AgentExecution__c,
    TurnIdentifier__c: row.TurnIdentifier__c,
    Sequence__c: sequence,
    Timestamp__c: services.now().toISOString(),
    StepType__c: error.isError ? 'Error' : 'Approval',
    StepRole__c: 'System',
    Content__c: content,
    ToolName__c: row.ToolName__c,
    ToolCallId__c: row.ToolCallId__c,
    ToolArguments__c: JSON.stringify(data),
    IsError__c: error.isError ?? false,
    ...(error.category ? { ErrorCategory__c: error.category } : {}),
  };
}

/** An audit row for a decision that changed nothing (refused, duplicate, late), keyed by the event so redelivery rewrites it. */
export async function auditStep(
  services: HitlServices,
  row: PendingRow,
  sequence: number,
  eventId: string,
  content: string,
  extra: StepError,
): Promise<void> {
  const key = `${row.ActionKey__c}-e${createHash('sha256').update(eventId).digest('hex').slice(0, 16)}`;
  const results = await services.integration.upsertMany(
    'ExecutionStep__c',
    'StepKey__c',
    [{ StepKey__c: key, ...stepFields(services, row, sequence, content, { eventId }, extra) }],
    true,
  );
  const failed = results.find((result) => !result.success);
  if (failed)
    throw new PermanentError(`Could not record the decision step: ${JSON.stringify(failed.errors)}`, {
      category: 'AuditWriteFailed',
    });
}
