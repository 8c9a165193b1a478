/**
 * The same SOQL and DML as three personas: the admin (sees everything), the restricted loan officer (FLS-hidden
 * fields, private records of others, no Case access) and the integration worker (no business data at all).
 * Every refusal is asserted with Salesforce's exact error code and text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/server.ts';
import { jwtToken, startTestEmulator } from '../support/emulator.ts';

type Persona = 'admin' | 'officer' | 'worker';
type Outcome = { rows: number } | { status: number; errorCode: string; message: string | RegExp };

let emu: EmulatorHandle;
const tokens = {} as Record<Persona | 'underwriter', string>;
const loanIds: Record<string, string> = {};

const noColumn = (field: string, entity: string): RegExp =>
  new RegExp(
    `^\\n[^\\n]+\\n *\\^\\nERROR at Row:1:Column:\\d+\\nNo such column '${field}' on entity '${entity}'\\. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name\\. Please reference your WSDL or the describe call for the appropriate names\\.$`,
  );
const notSupported = (entity: string): RegExp =>
  new RegExp(
    `^\\n[^\\n]+\\n *\\^\\nERROR at Row:1:Column:\\d+\\nsObject type '${entity}' is not supported\\. If you are attempting to use a custom object, be sure to append the '__c' after the entity name\\. Please reference your WSDL or the describe call for the appropriate names\\.$`,
  );
const invalidField = (field: string, entity: string): Outcome => ({
  status: 400,
  errorCode: 'INVALID_FIELD',
  message: noColumn(field, entity),
});
const invalidType = (entity: string): Outcome => ({
  status: 400,
  errorCode: 'INVALID_TYPE',
  message: notSupported(entity),
});
const NOT_FOUND: Outcome = { status: 404, errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' };

async function call(
  persona: keyof typeof tokens,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${emu.url}/services/data/v62.0${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokens[persona]}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function expectOutcome(actual: { status: number; json: unknown }, expected: Outcome): void {
  if ('rows' in expected) {
    expect(actual.status).toBe(200);
    expect((actual.json as { totalSize: number }).totalSize).toBe(expected.rows);
    return;
  }
  expect(actual.status).toBe(expected.status);
  const errors = actual.json as Array<{ errorCode: string; message: string }>;
  expect(errors).toHaveLength(1);
  expect(errors[0]?.errorCode).toBe(expected.errorCode);
  if (typeof expected.message === 'string') expect(errors[0]?.message).toBe(expected.message);
  else expect(errors[0]?.message).toMatch(expected.message);
}

beforeAll(async () => {
  emu = await startTestEmulator();
  for (const persona of ['admin', 'officer', 'worker', 'underwriter'] as const)
    tokens[persona] = await jwtToken(emu, `${persona}@lending.test`);
});
beforeEach(() => {
  emu.org.reset();
  for (const record of emu.admin.records('Loan_Application__c')) loanIds[String(record.External_Ref__c)] = record.Id;
});
afterAll(async () => emu.close());

const QUERIES: Array<[string, string, Record<Persona, Outcome>]> = [
  [
    'visible fields',
    'SELECT Id, External_Ref__c, Amount__c FROM Loan_Application__c',
    {
      admin: { rows: 12 },
      officer: { rows: 6 }, // own HL-1001..1005 plus the HL-1007 read share; officer2's and others' stay invisible
      worker: invalidType('Loan_Application__c'),
    },
  ],
  [
    'a hidden field in SELECT',
    'SELECT Id, Risk_Tier__c FROM Loan_Application__c',
    {
      admin: { rows: 12 },
      officer: invalidField('Risk_Tier__c', 'Loan_Application__c'),
      worker: invalidType('Loan_Application__c'),
    },
  ],
  [
    'a hidden field in WHERE',
    "SELECT Id FROM Loan_Application__c WHERE Risk_Tier__c = 'A'",
    {
      admin: { rows: 3 },
      officer: invalidField('Risk_Tier__c', 'Loan_Application__c'),
      worker: invalidType('Loan_Application__c'),
    },
  ],
  [
    'a hidden field in ORDER BY',
    'SELECT Id FROM Loan_Application__c ORDER BY Risk_Tier__c',
    {
      admin: { rows: 12 },
      officer: invalidField('Risk_Tier__c', 'Loan_Application__c'),
      worker: invalidType('Loan_Application__c'),
    },
  ],
  [
    'a hidden field through a parent path',
    'SELECT Id, Applicant__r.SSN__c FROM Loan_Application__c',
    {
      admin: { rows: 12 },
      officer: invalidField('SSN__c', 'Contact'),
      worker: invalidType('Loan_Application__c'),
    },
  ],
  [
    'an object without access',
    'SELECT Id, Subject FROM Case',
    {
      admin: { rows: 1 },
      officer: invalidType('Case'),
      worker: invalidType('Case'),
    },
  ],
  [
    'a PII field on a readable object',
    'SELECT Id, LastName, SSN__c FROM Contact',
    {
      admin: { rows: 6 },
      officer: invalidField('SSN__c', 'Contact'),
      worker: invalidType('Contact'),
    },
  ],
];

describe('security matrix: SOQL', () => {
  for (const [name, soql, expected] of QUERIES) {
    it(`${name}: ${soql}`, async () => {
      for (const persona of ['admin', 'officer', 'worker'] as const) {
        expectOutcome(await call(persona, 'GET', `/query?q=${encodeURIComponent(soql)}`), expected[persona]);
      }
    });
  }
});

describe('security matrix: records and DML', () => {
  it("hides other owners' private records (retrieve = 404) and lets the owner see their own", async () => {
    const others = loanIds['HL-1006'] ?? '';
    expect((await call('admin', 'GET', `/sobjects/Loan_Application__c/${others}`)).status).toBe(200);
    expectOutcome(await call('officer', 'GET', `/sobjects/Loan_Application__c/${others}`), NOT_FOUND);
    expectOutcome(await call('worker', 'GET', `/sobjects/Loan_Application__c/${others}`), NOT_FOUND);
    const own = await call('officer', 'GET', `/sobjects/Loan_Application__c/${loanIds['HL-1001'] ?? ''}`);
    expect(own.status).toBe(200);
    expect(own.json).not.toHaveProperty('Risk_Tier__c');
    expect(own.json).toHaveProperty('Amount__c', 25000);
  });

  it('refuses a hidden field in DML with INVALID_FIELD and a read-only field with INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
    const own = loanIds['HL-1001'] ?? '';
    expect((await call('admin', 'PATCH', `/sobjects/Loan_Application__c/${own}`, { Risk_Tier__c: 'A' })).status).toBe(
      204,
    );
    expectOutcome(await call('officer', 'PATCH', `/sobjects/Loan_Application__c/${own}`, { Risk_Tier__c: 'C' }), {
      status: 400,
      errorCode: 'INVALID_FIELD',
      message: "No such column 'Risk_Tier__c' on sobject of type Loan_Application__c",
    });
    expectOutcome(
      await call('worker', 'PATCH', `/sobjects/Loan_Application__c/${own}`, { Status__c: 'Open' }),
      NOT_FOUND,
    );
    const contact = emu.admin.records('Contact')[0]?.Id ?? '';
    const readOnly = await call('underwriter', 'PATCH', `/sobjects/Contact/${contact}`, { Birthdate: '2000-01-01' });
    expect(readOnly).toEqual({
      status: 400,
      json: [
        {
          message:
            'Unable to create/update fields: Birthdate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          fields: ['Birthdate'],
        },
      ],
    });
    expect(emu.admin.records('Loan_Application__c').find((r) => r.Id === own)?.Risk_Tier__c).toBe('A');
  });

  it('enforces record-level and object-level refusals with INSUFFICIENT_ACCESS_OR_READONLY', async () => {
    const shared = loanIds['HL-1007'] ?? '';
    expectOutcome(await call('officer', 'PATCH', `/sobjects/Loan_Application__c/${shared}`, { Status__c: 'Open' }), {
      status: 400,
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
      message: 'insufficient access rights on object id',
    });
    expectOutcome(await call('officer', 'DELETE', `/sobjects/Loan_Application__c/${loanIds['HL-1002'] ?? ''}`), {
      status: 400,
      errorCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
      message: 'entity type cannot be deleted: Loan Application',
    });
    expect((await call('admin', 'DELETE', `/sobjects/Loan_Application__c/${loanIds['HL-1002'] ?? ''}`)).status).toBe(
      204,
    );
    expect((await call('admin', 'POST', '/sobjects/Case', { Subject: 'ok' })).status).toBe(201);
    expectOutcome(await call('officer', 'POST', '/sobjects/Case', { Subject: 'no' }), NOT_FOUND);
    expectOutcome(await call('worker', 'POST', '/sobjects/Case', { Subject: 'no' }), NOT_FOUND);
  });

  it('omits hidden fields and unreadable objects from describe', async () => {
    const fields = async (persona: Persona): Promise<string[]> =>
      (
        (await call(persona, 'GET', '/sobjects/Loan_Application__c/describe')).json as {
          fields: Array<{ name: string }>;
        }
      ).fields.map((f) => f.name);
    expect(await fields('admin')).toContain('Risk_Tier__c');
    const officerFields = await fields('officer');
    expect(officerFields).toContain('Amount__c');
    expect(officerFields).not.toContain('Risk_Tier__c');
    expect((await call('worker', 'GET', '/sobjects/Loan_Application__c/describe')).status).toBe(404);
    const global = async (persona: Persona): Promise<string[]> =>
      ((await call(persona, 'GET', '/sobjects')).json as { sobjects: Array<{ name: string }> }).sobjects.map(
        (s) => s.name,
      );
    expect(await global('admin')).toContain('Loan_Application__c');
    expect(await global('worker')).not.toContain('Loan_Application__c');
    expect(await global('worker')).toContain('ExecutionStep__c');
  });
});
