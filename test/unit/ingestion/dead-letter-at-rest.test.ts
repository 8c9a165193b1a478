import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileDeadLetterStore } from '../../../src/ingestion/dead-letter.ts';

/** Issue 16, class 5: a refused decision job was dead-lettered with its raw payload (comment, edited arguments). */
describe('dead letters hold IDs and categories only', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the IDs of a refused decision job, never its comment or edited arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-dead-letter-'));
    dirs.push(dir);
    const store = new FileDeadLetterStore(join(dir, 'dead-letter.jsonl'));
    const job = {
      kind: 'decision',
      eventUuid: '7c1e3f0a-5d2b-4a8e-9f00-2b7d1c9e4a11',
      replayId: 42,
      channel: '/event/AgentHITLDecision__e',
      receivedAt: '2026-12-07T10:00:00.000Z',
      event: {
        PendingActionId__c: 'a0P000000000001AAA',
        Decision__c: 'Approve',
        Comment__c: 'Applicant SSN 536-22-1234, call maria.alvarez@example.com',
        EditedArgumentsJson__c: '{"fields":{"Phone":"+1 415 555 0111"}}',
        CreatedById: '005000000000001AAA',
        CreatedDate: '2026-12-07T09:59:59.000Z',
      },
    };
    await store.add({
      at: '2026-12-07T10:00:01.000Z',
      reason: 'security:refused',
      detail: 'decision refused',
      jobId: 'decision:1',
      raw: job,
    });
    const text = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8');
    for (const secret of ['536-22-1234', 'maria.alvarez', '555 0111', 'Applicant']) expect(text).not.toContain(secret);
    const [entry] = await store.list();
    expect(entry?.raw).toEqual({
      kind: 'decision',
      eventUuid: job.eventUuid,
      replayId: 42,
      channel: job.channel,
      receivedAt: job.receivedAt,
      event: {
        PendingActionId__c: 'a0P000000000001AAA',
        Decision__c: 'Approve',
        CreatedById: '005000000000001AAA',
        CreatedDate: job.event.CreatedDate,
        droppedKeys: ['Comment__c', 'EditedArgumentsJson__c'],
      },
    });
  });
});
