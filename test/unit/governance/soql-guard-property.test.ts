import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DescribeIndex } from '../../../src/governance/describe.ts';
import { buildSchemaPrompt, checkSoql } from '../../../src/governance/soql-guard/index.ts';
import { loadIndex } from '../../fixtures/describe/load.ts';

const officer = loadIndex('officer');
const underwriter = loadIndex('underwriter');

/** Readable (field, parent-path) choices per object, so generated queries can hide a bad name among good ones. */
const OBJECTS = ['Account', 'Contact', 'Loan_Application__c', 'Loan_Document__c', 'Task'];
const PARENT_PATHS: Record<string, Array<{ path: string; target: string }>> = {
  Account: [
    { path: 'Owner.', target: 'User' },
    { path: 'Parent.', target: 'Account' },
  ],
  Contact: [
    { path: 'Account.', target: 'Account' },
    { path: 'Account.Owner.', target: 'User' },
  ],
  Loan_Application__c: [
    { path: 'Applicant__r.', target: 'Contact' },
    { path: 'Applicant__r.Account.', target: 'Account' },
    { path: 'Account__r.Parent.Owner.', target: 'User' },
  ],
  Loan_Document__c: [{ path: 'Loan_Application__r.Applicant__r.', target: 'Contact' }],
  Task: [
    { path: 'Who.', target: 'Contact' },
    { path: 'Who.Account.', target: 'Account' },
  ],
};
const CHILDREN: Record<string, Array<{ rel: string; child: string }>> = {
  Account: [
    { rel: 'Loan_Applications__r', child: 'Loan_Application__c' },
    { rel: 'Contacts', child: 'Contact' },
  ],
  Contact: [{ rel: 'Applications__r', child: 'Loan_Application__c' }],
  Loan_Application__c: [{ rel: 'Documents__r', child: 'Loan_Document__c' }],
  Loan_Document__c: [],
  Task: [],
};

function isKnown(index: DescribeIndex, object: string, name: string): boolean {
  return index.field(object, name) !== undefined || index.parentRelationship(object, name) !== undefined;
}

const identifier = fc
  .stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}(__c)?$/)
  .filter((name) => !name.includes('__', 1) || /__c$/.test(name));
const randomCase = (name: string, seed: number): string =>
  [...name].map((ch, i) => ((seed >> (i % 30)) & 1 ? ch.toUpperCase() : ch.toLowerCase())).join('');

/** Builds a query that references `bad` (a name absent from the target object's describe) in a random position. */
function withUnknownField(index: DescribeIndex) {
  return fc
    .record({
      object: fc.constantFrom(...OBJECTS),
      bad: identifier,
      position: fc.integer({ min: 0, max: 11 }),
      pathPick: fc.nat(),
      casing: fc.nat(),
    })
    .map(({ object, bad, position, pathPick, casing }) => {
      const parents = PARENT_PATHS[object] ?? [];
      const parent = parents[pathPick % parents.length] ?? { path: '', target: object };
      const children = CHILDREN[object] ?? [];
      const child = children[pathPick % Math.max(children.length, 1)];
      const name = randomCase(bad, casing);
      const good = index
        .fields(object)
        .slice(0, 2)
        .map((field) => field.name)
        .join(', ');
      const cases: Array<{ target: string; soql: string }> = [
        { target: object, soql: `SELECT ${good}, ${name} FROM ${object}` },
        { target: object, soql: `SELECT ${good} FROM ${object} WHERE ${name} = 'x'` },
        { target: object, soql: `SELECT ${good} FROM ${object} WHERE Id != null AND (Id = null OR ${name} > 5)` },
        { target: object, soql: `SELECT ${good} FROM ${object} ORDER BY ${name} DESC` },
        { target: object, soql: `SELECT ${name}, COUNT(Id) FROM ${object} GROUP BY ${name}` },
        { target: object, soql: `SELECT COUNT(Id) FROM ${object} GROUP BY ROLLUP(Id, ${name})` },
        { target: object, soql: `SELECT COUNT(Id) FROM ${object} GROUP BY Id HAVING MAX(${name}) > 1` },
        { target: object, soql: `SELECT toLabel(${name}), FORMAT(Id) FROM ${object}` },
        { target: parent.target, soql: `SELECT Id, ${parent.path}${name} FROM ${object}` },
        { target: parent.target, soql: `SELECT Id FROM ${object} WHERE ${parent.path}${name} != null` },
        child
          ? { target: child.child, soql: `SELECT Id, (SELECT Id, ${name} FROM ${child.rel}) FROM ${object}` }
          : { target: object, soql: `SELECT Id FROM Account WHERE Id IN (SELECT ${name} FROM ${object})` },
        {
          target: object,
          soql: `SELECT Id FROM Account WHERE Id NOT IN (SELECT Id FROM ${object} WHERE ${name} = true)`,
        },
      ];
      const picked = cases[position % cases.length] ?? cases[0];
      return { ...(picked as { target: string; soql: string }), name };
    })
    .filter(({ target, name }) => !isKnown(index, target, name));
}

describe('SOQL guard properties', () => {
  it("never allows a field reference absent from the user's describe, in any clause or position", () => {
    let runs = 0;
    let unparsed = 0;
    for (const index of [officer, underwriter]) {
      fc.assert(
        fc.property(withUnknownField(index), ({ soql, name }) => {
          const verdict = checkSoql(soql, index);
          expect(verdict.allowed).toBe(false);
          expect(verdict.query).toBeUndefined();
          runs++;
          // A generated name can be a SOQL keyword (FROM, LIMIT ...): still refused, but as a parse error.
          if (verdict.violations[0]?.startsWith('query does not parse')) unparsed++;
          else expect(verdict.violations.join('\n')).toContain(name);
        }),
        { numRuns: 600 },
      );
    }
    // The property is about field resolution, so most generated queries must get past the parser.
    expect(unparsed / runs).toBeLessThan(0.1);
  });

  it('never allows any field the officer cannot read, whatever it is combined with', () => {
    const hidden = underwriter
      .objectNames()
      .flatMap((object) => underwriter.fields(object).map((field) => ({ object, field: field.name })))
      .filter(({ object, field }) => officer.object(object) && !officer.field(object, field));
    expect(hidden.length).toBeGreaterThan(5);
    fc.assert(
      fc.property(fc.constantFrom(...hidden), fc.nat(), fc.boolean(), ({ object, field }, casing, inWhere) => {
        const name = randomCase(field, casing);
        const soql = inWhere ? `SELECT Id FROM ${object} WHERE ${name} != null` : `SELECT Id, ${name} FROM ${object}`;
        expect(checkSoql(soql, officer).allowed).toBe(false);
        expect(checkSoql(soql, underwriter).allowed).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('allows queries built only from readable fields, and reports only readable field paths', () => {
    const objectField = fc.constantFrom(...OBJECTS).chain((object) =>
      fc.record({
        object: fc.constant(object),
        fields: fc.subarray(
          officer.fields(object).map((field) => field.name),
          { minLength: 1, maxLength: 6 },
        ),
        casing: fc.nat(),
        limit: fc.option(fc.integer({ min: 1, max: 5000 }), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(objectField, ({ object, fields, casing, limit }) => {
        const select = fields.map((field) => randomCase(field, casing)).join(', ');
        const soql = `SELECT ${select} FROM ${object} WHERE ${fields[0] ?? 'Id'} != null${limit ? ` LIMIT ${limit}` : ''}`;
        const verdict = checkSoql(soql, officer);
        expect(verdict.violations).toEqual([]);
        expect(verdict.query).toMatch(new RegExp(`LIMIT ${Math.min(limit ?? 200, 200)}$`));
        for (const path of verdict.fieldPaths) {
          const [root, name] = path.split('.');
          expect(officer.field(root ?? '', name ?? '')).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const verdict = checkSoql(`SELECT ${text} FROM Account`, officer);
        expect(typeof verdict.allowed).toBe('boolean');
        if (!verdict.allowed) expect(verdict.violations.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('buildSchemaPrompt', () => {
  it('shows exactly the allow-list: every field it names passes the guard, hidden ones are absent', () => {
    const prompt = buildSchemaPrompt(officer);
    for (const hidden of [
      'Risk_Tier__c',
      'SSN__c',
      'Reviewed_By__r',
      'Credit_Review__c',
      'Credit_Reviews__r',
      'Underwriter_Notes__c',
    ]) {
      expect(prompt).not.toContain(hidden);
    }
    expect(prompt).not.toContain('Profile ->');
    for (const line of prompt.split('\n').filter((text) => text.startsWith('  fields: '))) {
      const object = prompt.split('\n')[prompt.split('\n').indexOf(line) - 1]?.replace(/:$/, '') ?? '';
      const names = [...line.matchAll(/(\w+) \(/g)].map((match) => match[1] ?? '');
      const verdict = checkSoql(`SELECT ${names.join(', ')} FROM ${object}`, officer);
      expect(verdict.violations).toEqual([]);
    }
    expect(buildSchemaPrompt(underwriter, ['Loan_Application__c'])).toContain(
      'Risk_Tier__c (picklist: Low|Medium|High)',
    );
  });
});
