import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../src/errors.ts';
import { CustomPermissions, LOOM_PERMISSIONS, PERMISSIONS_PATH } from '../../../src/salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../../../src/salesforce/rest-client.ts';

const USER = '005EM000000001AAAA';

/** A client whose GET of the permissions resource answers with `answers` in turn (an Error is thrown). */
function clientAnswering(...answers: unknown[]): { client: SalesforceClient; paths: string[] } {
  const paths: string[] = [];
  const client = {
    request: async (_method: string, path: string) => {
      paths.push(path);
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as SalesforceClient;
  return { client, paths };
}

const granted = (
  userId = USER,
  permissions: Record<string, boolean> = { Loom_StartAgentTurns: true, Loom_DecidePendingActions: false },
) => ({ userId, permissions });

describe('CustomPermissions', () => {
  it('asks once per user per window, for every permission at once, and asks again after the window', async () => {
    let now = 0;
    const permissions = new CustomPermissions(60_000, () => now);
    const { client, paths } = clientAnswering(granted(), granted(USER, { Loom_StartAgentTurns: false }));
    expect(await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).toEqual({ held: true });
    expect((await permissions.check(USER.slice(0, 15), client, LOOM_PERMISSIONS.decide)).held).toBe(false);
    expect(paths).toEqual([PERMISSIONS_PATH]);
    now = 60_000;
    expect((await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).held).toBe(false);
    expect(paths).toHaveLength(2);
  });

  it('fails closed on a refusal, a malformed answer or an answer about another user, and caches none of them', async () => {
    const permissions = new CustomPermissions();
    const { client, paths } = clientAnswering(
      new PermanentError('You do not have access to the Apex class named: LoomPermissionsResource'),
      { permissions: { Loom_StartAgentTurns: 'yes' } },
      granted('005EM0000000099AAA'),
      granted(),
    );
    expect(await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).toMatchObject({
      held: false,
      reason: expect.stringMatching(/did not answer.*Apex class/),
    });
    expect(await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).toMatchObject({
      held: false,
      reason: expect.stringMatching(/unexpected shape/),
    });
    expect(await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).toMatchObject({
      held: false,
      reason: expect.stringMatching(/another user/),
    });
    expect(await permissions.check(USER, client, LOOM_PERMISSIONS.startTurns)).toEqual({ held: true });
    expect(paths).toHaveLength(4);
  });

  it('rethrows an outage so the job is retried, never read as a grant', async () => {
    const { client } = clientAnswering(
      new TransientError('Service Unavailable', { category: 'SalesforceUnavailable' }),
    );
    await expect(new CustomPermissions().check(USER, client, LOOM_PERMISSIONS.decide)).rejects.toBeInstanceOf(
      TransientError,
    );
  });

  it('treats a permission the answer does not mention as not held', async () => {
    const { client } = clientAnswering(granted(USER, {}));
    expect((await new CustomPermissions().check(USER, client, LOOM_PERMISSIONS.decide)).held).toBe(false);
  });
});
