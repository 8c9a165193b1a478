import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { Pacing } from '../../../src/queue/pacing.ts';
import { backoffMs, classifyError } from '../../../src/queue/retry-policy.ts';
import { LoomError, PermanentError, TransientError } from '../../../src/errors.ts';
import { AllocationExhaustedError, toSalesforceError } from '../../../src/salesforce/rest-client.ts';

describe('Pacing', () => {
  it('adds no delay below the threshold and grows linearly to the maximum at the limit', () => {
    const pacing = new Pacing({ slowAbove: 0.8, maxDelayMs: 1000, logger: silentLogger() });
    expect(pacing.delayFor(0)).toBe(0);
    expect(pacing.delayFor(0.8)).toBe(0);
    expect(pacing.delayFor(0.9)).toBe(500);
    expect(pacing.delayFor(1)).toBe(1000);
    expect(pacing.delayFor(1.5)).toBe(1000);
  });

  it('pauses intake after allocation exhaustion and resumes on its timer', async () => {
    let now = 0;
    const pacing = new Pacing({ pauseMs: 60_000, logger: silentLogger(), now: () => now });
    const events: string[] = [];
    pacing.on('paused', () => events.push('paused')).on('resumed', () => events.push('resumed'));
    pacing.pause('REQUEST_LIMIT_EXCEEDED');
    pacing.pause('REQUEST_LIMIT_EXCEEDED'); // extends, does not announce twice
    expect(pacing.paused).toBe(true);
    expect(pacing.remainingPauseMs()).toBe(60_000);
    now = 60_000;
    expect(pacing.paused).toBe(false);
    pacing.resume();
    expect(events).toEqual(['paused', 'resumed']);
    pacing.close();
  });

  it('waits in admit while paused and rejects when the caller aborts', async () => {
    const pacing = new Pacing({ pauseMs: 60_000, logger: silentLogger() });
    pacing.pause('test');
    const controller = new AbortController();
    const admitted = pacing.admit(controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(admitted).rejects.toThrow('shutdown');
    pacing.resume();
    await expect(pacing.admit()).resolves.toBeUndefined();
    pacing.close();
  });

  it('reads the near-limit slow-down from the meter', async () => {
    const pacing = new Pacing({
      meter: { allocationUsed: () => 0.99 },
      slowAbove: 0.5,
      maxDelayMs: 20,
      logger: silentLogger(),
    });
    expect(pacing.delayFor(0.99)).toBe(20);
    await pacing.admit();
  });
});

describe('retry policy', () => {
  it('retries transient and untyped errors, never permanent ones, and pauses on spent allocation', () => {
    expect(classifyError(new TransientError('socket hang up'))).toBe('retry');
    expect(classifyError(new Error('ECONNRESET'))).toBe('retry');
    expect(classifyError(new PermanentError('bad'))).toBe('permanent');
    expect(classifyError(new LoomError('no retry by default'))).toBe('permanent');
    expect(classifyError(new AllocationExhaustedError('TotalRequests Limit exceeded.'))).toBe('allocation');
    expect(
      classifyError(
        toSalesforceError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }),
      ),
    ).toBe('allocation');
    expect(classifyError(toSalesforceError({ errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'no' }))).toBe(
      'permanent',
    );
  });

  it('backs off exponentially with a cap', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4].map((attempt) => backoffMs(policy, attempt))).toEqual([100, 200, 400, 500]);
  });
});
