import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jsforceConnection, startTestEmulator } from '../support/emulator.ts';

let emu: EmulatorHandle;
let admin: jsforce.Connection;

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}
const V = '/services/data/v62.0';
const HALTED = 'The transaction was rolled back since another operation in the same transaction failed.';

const composite = (body: object): Promise<{ compositeResponse: SubResponse[] }> =>
  admin.requestPost('/composite', body);

beforeAll(async () => {
  emu = await startTestEmulator();
  admin = await jsforceConnection(emu, 'admin@lending.test');
});
afterAll(async () => emu.close());

describe('POST /composite', () => {
  it('resolves @{ref.id} and @{ref.records[0].Id}, sets Location, and counts as ONE API call', async () => {
    const before = emu.admin.usage().used;
    const { compositeResponse } = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'acct', body: { Name: 'Composite Co' } },
        {
          method: 'POST',
          url: `${V}/sobjects/Contact`,
          referenceId: 'ct',
          body: { LastName: 'Lee', AccountId: '@{acct.id}' },
        },
        {
          method: 'GET',
          url: `${V}/query?q=SELECT+Id,Name+FROM+Contact+WHERE+AccountId='@{acct.id}'`,
          referenceId: 'q',
        },
        {
          method: 'PATCH',
          url: `${V}/sobjects/Contact/@{q.records[0].Id}`,
          referenceId: 'upd',
          body: { Phone: '+1 555 0000' },
        },
        { method: 'GET', url: `${V}/sobjects/Contact/@{ct.id}?fields=Phone,AccountId`, referenceId: 'check' },
      ],
    });
    expect(emu.admin.usage().used - before).toBe(1);
    const [acct, ct, q, upd, check] = compositeResponse;
    expect(acct).toMatchObject({ httpStatusCode: 201, referenceId: 'acct', body: { success: true, errors: [] } });
    const accountId = (acct?.body as { id: string }).id;
    expect(acct?.httpHeaders).toEqual({ Location: `${V}/sobjects/Account/${accountId}` });
    expect(ct).toMatchObject({ httpStatusCode: 201 });
    expect(q).toMatchObject({ httpStatusCode: 200, body: { totalSize: 1 } });
    expect(upd).toMatchObject({ httpStatusCode: 204, body: null, httpHeaders: {} });
    expect(check).toMatchObject({ httpStatusCode: 200, body: { Phone: '+1 555 0000', AccountId: accountId } });
  });

  it('with allOrNone rolls everything back: the failure keeps its error, the rest report PROCESSING_HALTED', async () => {
    const { compositeResponse } = await composite({
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'ok', body: { Name: 'Rolled Back Co' } },
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'bad', body: { Name: '' } },
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'never', body: { Name: 'Never Run Co' } },
      ],
    });
    expect(compositeResponse.map((r) => [r.referenceId, r.httpStatusCode])).toEqual([
      ['ok', 400],
      ['bad', 400],
      ['never', 400],
    ]);
    expect(compositeResponse[0]?.body).toEqual([{ errorCode: 'PROCESSING_HALTED', message: HALTED }]);
    expect(compositeResponse[1]?.body).toMatchObject([{ errorCode: 'REQUIRED_FIELD_MISSING' }]);
    expect(compositeResponse[2]?.body).toEqual([{ errorCode: 'PROCESSING_HALTED', message: HALTED }]);
    const left = await admin.query("SELECT Id FROM Account WHERE Name IN ('Rolled Back Co', 'Never Run Co')");
    expect(left.totalSize).toBe(0);
  });

  it('without allOrNone keeps successes and halts only dependents of a failure', async () => {
    const { compositeResponse } = await composite({
      compositeRequest: [
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'bad', body: { Name: '' } },
        {
          method: 'POST',
          url: `${V}/sobjects/Contact`,
          referenceId: 'dependent',
          body: { LastName: 'X', AccountId: '@{bad.id}' },
        },
        { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'fine', body: { Name: 'Independent Co' } },
        { method: 'GET', url: `${V}/sobjects/Account/@{fine.nope}`, referenceId: 'typo' },
      ],
    });
    expect(compositeResponse.map((r) => r.httpStatusCode)).toEqual([400, 400, 201, 400]);
    expect(compositeResponse[1]?.body).toEqual([
      { errorCode: 'PROCESSING_HALTED', message: 'Invalid reference specified. No value for bad.id found in bad' },
    ]);
    expect(compositeResponse[3]?.body).toEqual([
      { errorCode: 'PROCESSING_HALTED', message: 'Invalid reference specified. No value for fine.nope found in fine' },
    ]);
    expect((await admin.query("SELECT Id FROM Account WHERE Name = 'Independent Co'")).totalSize).toBe(1);
  });

  it('refuses more than 25 subrequests, more than 5 queries, bad referenceIds and forbidden headers (top-level 400)', async () => {
    const get = (i: number, url = `${V}/limits`): Record<string, unknown> => ({
      method: 'GET',
      url,
      referenceId: `r${i}`,
    });
    const cases: unknown[] = [
      { compositeRequest: Array.from({ length: 26 }, (_, i) => get(i)) },
      { compositeRequest: Array.from({ length: 6 }, (_, i) => get(i, `${V}/query?q=SELECT+Id+FROM+Account`)) },
      { compositeRequest: [{ method: 'GET', url: `${V}/limits`, referenceId: 'bad-id' }] },
      { compositeRequest: [get(1), get(1)] },
      { compositeRequest: [{ ...get(1), httpHeaders: { Authorization: 'Bearer x' } }] },
      { compositeRequest: 'nope' },
    ];
    for (const body of cases) {
      const response = await fetch(`${emu.url}${V}/composite`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin.accessToken ?? ''}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const errors = (await response.json()) as Array<{ errorCode: string; message: string }>;
      expect(errors).toHaveLength(1);
      expect(errors[0]?.message).toEqual(expect.any(String));
    }
  });

  it('runs collections inside composite and answers NOT_FOUND for URLs outside the data API', async () => {
    const { compositeResponse } = await composite({
      compositeRequest: [
        {
          method: 'POST',
          url: `${V}/composite/sobjects`,
          referenceId: 'coll',
          body: {
            records: [
              { attributes: { type: 'Account' }, Name: 'In Composite 1' },
              { attributes: { type: 'Account' }, Name: 'In Composite 2' },
            ],
          },
        },
        { method: 'GET', url: '/services/apexrest/whatever', referenceId: 'outside' },
      ],
    });
    expect(compositeResponse[0]).toMatchObject({ httpStatusCode: 200, body: [{ success: true }, { success: true }] });
    expect(compositeResponse[1]).toMatchObject({ httpStatusCode: 404, body: [{ errorCode: 'NOT_FOUND' }] });
  });
});
