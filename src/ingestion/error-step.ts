import type { SalesforceClient } from '../salesforce/rest-client.ts';

/** Writes the audit trace of an event that could not run. */
export interface ErrorStepWriter {
  malformedEvent(input: { executionId: string; eventUuid: string; reason: string }): Promise<void>;
}

/** ExecutionStep__c.Content__c is a 131,072-character long text area. */
const MAX_CONTENT = 131_072;

/**
 * Upserts an `Error` step on the execution a malformed event names, as the integration user. The step key is
 * derived from the event, so a redelivery updates the same row instead of adding another.
 */
export function salesforceErrorSteps(integration: SalesforceClient): ErrorStepWriter {
  return {
    async malformedEvent({ executionId, eventUuid, reason }) {
      const [result] = await integration.upsertMany('ExecutionStep__c', 'StepKey__c', [
        {
          StepKey__c: `${executionId}-ingest-${eventUuid}`.slice(0, 255),
          AgentExecution__c: executionId,
          StepType__c: 'Error',
          StepRole__c: 'System',
          IsError__c: true,
          ErrorCategory__c: 'MalformedEvent',
          Content__c: `The worker refused a malformed event: ${reason}`.slice(0, MAX_CONTENT),
          TurnIdentifier__c: 'ingest',
          Sequence__c: 0,
          Timestamp__c: new Date().toISOString(),
        },
      ]);
      if (!result?.success) {
        const message = result?.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; ') ?? 'no result';
        throw new Error(`Error step for ${executionId} not written: ${message}`);
      }
    },
  };
}
