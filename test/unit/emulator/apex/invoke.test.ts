/**
 * How a package invocable answers when its service throws (issue 17: "invocables never throw"): the class's catch-all
 * turns the exception into a per-request failure, so a Flow's fault path is not taken and the record save that
 * triggered the flow is kept; an unusable input fails alone as an element error.
 */
import { describe, expect, it } from 'vitest';
import { QueryException, type ApexContext } from '../../../../src/emulator/apex/apex-runtime.ts';
import { invokePackageAction } from '../../../../src/emulator/apex/invoke.ts';
import { DECIDE_PENDING_ACTION_ACTION, type InvocableSpec } from '../../../../src/emulator/apex/invocables.ts';

const ctx = {} as ApexContext;
const ID = 'a0BEM00000000012AA';

function throwing(error: Error): InvocableSpec {
  return {
    ...DECIDE_PENDING_ACTION_ACTION,
    run: () => {
      throw error;
    },
  };
}

describe('invokePackageAction', () => {
  it('answers every runnable request with the class’s catch-all message when the service throws', () => {
    const results = invokePackageAction(throwing(new QueryException('No such column Status__c')), ctx, [
      { pendingActionId: ID, decision: 'Approve' },
      { pendingActionId: ID, decision: 'Reject' },
    ]);
    expect(results).toEqual([
      expect.objectContaining({
        isSuccess: true,
        errors: null,
        outputValues: {
          isSuccess: false,
          errorMessage: 'Loom could not record the decision: No such column Status__c',
        },
      }),
      expect.objectContaining({ isSuccess: true, outputValues: expect.objectContaining({ isSuccess: false }) }),
    ]);
  });

  it('keeps an unusable input out of the batch as an element error and runs the rest', () => {
    const seen: unknown[] = [];
    const spec: InvocableSpec = {
      ...DECIDE_PENDING_ACTION_ACTION,
      run: (_ctx, requests) => {
        seen.push(...requests);
        return requests.map(() => ({ isSuccess: true, errorMessage: null }));
      },
    };
    const results = invokePackageAction(spec, ctx, [
      { pendingActionId: 'nope', decision: 'Approve' },
      { pendingActionId: ID, decision: 'Approve' },
      { decision: 'Approve' },
    ]);
    expect(results.map((r) => [r.isSuccess, r.errors?.[0]?.statusCode ?? null])).toEqual([
      [false, 'INVALID_ID_FIELD'],
      [true, null],
      [false, 'REQUIRED_FIELD_MISSING'],
    ]);
    expect(seen).toEqual([{ pendingActionId: ID, decision: 'Approve' }]);
  });
});
