import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkApexTestClasses,
  findApexFiles,
  parseApex,
  runApexLs,
  runPmd,
} from '../../scripts/sf/checks/apex-tools.ts';
import { checkInlineSoql, extractInlineSoql } from '../../scripts/sf/checks/inline-soql.ts';
import { formatIssue, type CheckIssue } from '../../scripts/sf/checks/types.ts';
import { readForceAppMetadata } from '../../scripts/sf/lib/metadata.ts';
import { CLASS_META, FORCE_APP, fixtureDir, workspaceCopy } from './support.ts';

// Deliberately broken Apex: each tool must catch its own class of problem.
const INSECURE = `public class InsecureLoom {
    public static List<AgentExecution__c> find(String status) {
        List<AgentExecution__c> rows = Database.query('SELECT Id FROM AgentExecution__c WHERE ExecutionStatus__c = \\'' + status + '\\'');
        update rows;
        return rows;
    }
}`;
const ASSERTLESS_TEST = `@IsTest
private with sharing class AssertlessLoom_Tests {
    @IsTest
    static void it_does_nothing() {
        Integer x = 1;
    }
}`;
const SEMANTIC = `public with sharing class SemanticLoom {
    public static void run() {
        AgentExecution__c e = new AgentExecution__c(Bogus__c = 'x');
        Integer n = 'text';
        AgentTurnService.noSuchMethod();
    }
}`;
const SYNTAX = 'public with sharing class SyntaxLoom {\n    void m() {\n        if (true {\n        }\n    }\n}\n';
const BAD_SOQL = `public with sharing class SoqlLoom {
    // [SELECT Commented__c FROM Nothing__c] is a comment and must be ignored
    static String s = '[SELECT InString__c FROM Nothing__c]';
    public static void run(Set<Id> ids) {
        List<AgentExecution__c> a = [SELECT Id, Missing__c FROM AgentExecution__c WHERE Id IN :ids WITH USER_MODE];
        List<ExecutionStep__c> b = [
            SELECT Id, AgentExecution__r.NoSuchField__c
            FROM ExecutionStep__c
            WHERE AgentExecution__r.RequestingUser__c = :UserInfo.getUserId() AND Other_Missing__c = 1
            ORDER BY Unknown_Order__c
        ];
        List<Ghost__c> c = [SELECT Id FROM Ghost__c];
        List<AgentExecution__c> d = [SELECT Id, (SELECT Id, Nope__c FROM ExecutionSteps__r) FROM AgentExecution__c WHERE Owner.Name = 'x'];
    }
}`;

const byFile = (issues: CheckIssue[], name: string): CheckIssue[] => issues.filter((i) => i.file.endsWith(name));

describe('Apex: Salesforce parser, PMD 7 and apex-ls', () => {
  const realFiles = findApexFiles(FORCE_APP);
  let pmd: Awaited<ReturnType<typeof runPmd>>;
  let apexLs: Awaited<ReturnType<typeof runApexLs>>;
  let fixture: string;

  beforeAll(async () => {
    fixture = fixtureDir({ 'classes/InsecureLoom.cls': INSECURE, 'classes/AssertlessLoom_Tests.cls': ASSERTLESS_TEST });
    const workspace = workspaceCopy({
      'force-app/main/broken/classes/SemanticLoom.cls': SEMANTIC,
      'force-app/main/broken/classes/SemanticLoom.cls-meta.xml': CLASS_META,
    });
    // One JVM per tool over the real package AND the broken fixtures, so every run also proves the tool still bites.
    [pmd, apexLs] = await Promise.all([runPmd([FORCE_APP, fixture]), runApexLs(workspace)]);
  });

  it('finds the package classes, tests and utilities', () => {
    const names = realFiles.map((f) => f.split('/').pop());
    expect(names).toEqual(
      expect.arrayContaining([
        'AgentTurnService.cls',
        'AgentHITLService.cls',
        'AgentTurnService_Tests.cls',
        'LoomQueuedHttpMock.cls',
      ]),
    );
  });

  it('every class parses with the Salesforce Apex parser; a syntax error is caught with its line', async () => {
    const broken = fixtureDir({ 'SyntaxLoom.cls': SYNTAX });
    const issues = await parseApex([...realFiles, join(broken, 'SyntaxLoom.cls')]);
    const real = issues.filter((i) => !i.file.startsWith(broken));
    expect(real.map(formatIssue)).toEqual([]);
    expect(byFile(issues, 'SyntaxLoom.cls').length).toBeGreaterThan(0);
    expect(byFile(issues, 'SyntaxLoom.cls')[0]?.line).toBe(3);
  });

  it('PMD security and test rules report nothing on the package', () => {
    const real = pmd.issues.filter((i) => i.file.startsWith(FORCE_APP));
    expect(real.map(formatIssue)).toEqual([]);
  });

  it('PMD catches sharing, CRUD, SOQL injection and assert-less tests in the fixture (exit 4)', () => {
    expect(pmd.exitCode).toBe(4);
    const rules = new Set(pmd.issues.filter((i) => i.file.startsWith(fixture)).map((i) => i.tool));
    expect([...rules]).toEqual(
      expect.arrayContaining([
        'pmd:ApexSharingViolations',
        'pmd:ApexCRUDViolation',
        'pmd:ApexSOQLInjection',
        'pmd:ApexUnitTestClassShouldHaveAsserts',
      ]),
    );
  });

  it('apex-ls reports no unknown type, field or method in the package', () => {
    const real = apexLs.issues.filter((i) => !i.file.includes('/broken/'));
    expect(real.map(formatIssue)).toEqual([]);
  });

  it('apex-ls catches unknown fields, bad assignments and unknown methods (exit 4)', () => {
    expect(apexLs.exitCode).toBe(4);
    const messages = byFile(apexLs.issues, 'SemanticLoom.cls')
      .map((i) => i.message)
      .join('\n');
    expect(messages).toContain("Unknown field 'Bogus__c' on SObject 'Schema.AgentExecution__c'");
    expect(messages).toContain('Incompatible types');
    expect(messages).toContain("'noSuchMethod'");
  });
});

describe('one Apex test class per class', () => {
  it('every class in main/ has its @IsTest Foo_Tests class in the same area of tests/', () => {
    expect(checkApexTestClasses(FORCE_APP).map(formatIssue)).toEqual([]);
    // The convention the check enforces is the one the package uses: a real class and its test pair up.
    expect(findApexFiles(join(FORCE_APP, 'tests')).map((f) => f.split('/').pop())).toEqual(
      expect.arrayContaining(['LoomException_Tests.cls', 'AgentHITLService_Tests.cls']),
    );
  });

  it('catches a missing test, a test in the wrong area, a test that is not @IsTest or never uses its class, and an orphan', () => {
    const test = (name: string, body = `${name}.run();`) =>
      `@IsTest\nprivate with sharing class ${name}_Tests {\n    @IsTest\n    static void it_runs() {\n        ${body}\n        Assert.isTrue(true, 'ran');\n    }\n}\n`;
    const dir = fixtureDir({
      'main/core/classes/Covered.cls': 'public with sharing class Covered {}',
      'main/core/classes/Untested.cls': 'public with sharing class Untested {}',
      'main/core/classes/Misplaced.cls': 'public with sharing class Misplaced {}',
      'main/core/classes/NotATest.cls': 'public with sharing class NotATest {}',
      'main/core/classes/Unused.cls': 'public with sharing class Unused {}',
      'main/core/triggers/Hook.trigger': 'trigger Hook on Account (before insert) {}',
      'tests/core/classes/Covered_Tests.cls': test('Covered'),
      'tests/other/classes/Misplaced_Tests.cls': test('Misplaced'),
      'tests/core/classes/NotATest_Tests.cls': `private with sharing class NotATest_Tests {\n    // @IsTest\n    static void run() { NotATest x; }\n}\n`,
      'tests/core/classes/Unused_Tests.cls': test(
        'Unused',
        '// Unused is only named in a comment\n        Integer n = 1;',
      ),
      'tests/core/classes/Hook_Tests.cls': test('Hook', "insert new Account(Name = 'Hook');"),
      'tests/core/classes/Ghost_Tests.cls': test('Ghost'),
      'tests/utilities/classes/TestDataFactory.cls': '@IsTest\npublic with sharing class TestDataFactory {}',
    });
    const found = checkApexTestClasses(dir).map((i) => `${relative(dir, i.file)}: ${i.message}`);
    expect(found.sort()).toEqual(
      [
        'main/core/classes/Untested.cls: no test class: expected tests/core/classes/Untested_Tests.cls',
        'main/core/classes/Misplaced.cls: no test class: expected tests/core/classes/Misplaced_Tests.cls',
        'tests/core/classes/NotATest_Tests.cls: not an @IsTest class named NotATest_Tests',
        'tests/core/classes/Unused_Tests.cls: never uses Unused',
        'tests/core/classes/Ghost_Tests.cls: test class without a class of that name in the same area of main/',
        'tests/other/classes/Misplaced_Tests.cls: test class without a class of that name in the same area of main/',
      ].sort(),
    );
  });
});

describe('inline SOQL field check', () => {
  const objects = readForceAppMetadata(FORCE_APP);

  it('every field in the package inline SOQL exists in force-app', () => {
    expect(checkInlineSoql(findApexFiles(FORCE_APP), objects).map(formatIssue)).toEqual([]);
  });

  it('extracts queries but not comments or strings', () => {
    const queries = extractInlineSoql(BAD_SOQL).map((q) => q.soql);
    expect(queries).toHaveLength(4);
    expect(queries.join(' ')).not.toContain('Commented__c');
    expect(queries.join(' ')).not.toContain('InString__c');
  });

  it('catches unknown fields in SELECT, WHERE, ORDER BY, relationships, subqueries and unknown objects', () => {
    const dir = fixtureDir({ 'SoqlLoom.cls': BAD_SOQL });
    const messages = checkInlineSoql([join(dir, 'SoqlLoom.cls')], objects).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Unknown field Missing__c on AgentExecution__c',
        'Unknown field NoSuchField__c on AgentExecution__c',
        'Unknown field Other_Missing__c on ExecutionStep__c',
        'Unknown field Unknown_Order__c on ExecutionStep__c',
        'Unknown object Ghost__c',
        'Unknown field Nope__c on ExecutionStep__c',
      ]),
    );
    expect(messages).toHaveLength(6);
  });
});

/**
 * The one place package code writes in system context, and why: AgentHITLService records a decision on the pending
 * action after its own user-mode checks. The approver only has Read on that record (a manual share) and no user
 * permission set may edit the decision fields, so the write needs system mode and a `without sharing` inner class
 * (with AccessLevel.SYSTEM_MODE "the record sharing rules are controlled by the class sharing keywords", Apex
 * Developer Guide, "Enforce User Mode for Database Operations"). Anything else fails the checks below.
 */
const SYSTEM_CONTEXT_WRITES: Record<string, { innerClass: RegExp; dml: RegExp }> = {
  'AgentHITLService.cls': {
    innerClass: /private without sharing class SystemContext \{/,
    dml: /^decided, AccessLevel\.SYSTEM_MODE$/,
  },
};

describe('no privilege escalation in package code', () => {
  const mainFiles = findApexFiles(join(FORCE_APP, 'main'));
  const allowed = (file: string) => SYSTEM_CONTEXT_WRITES[file.split('/').pop() ?? ''];

  it('every class declares with sharing or inherited sharing, never without sharing', () => {
    const bad = findApexFiles(FORCE_APP).filter((f) => {
      let source = readFileSync(f, 'utf8');
      const exception = allowed(f);
      if (exception && f.includes('/main/')) source = source.replace(exception.innerClass, '');
      return /without\s+sharing/i.test(source) || !/(with|inherited)\s+sharing\s+class\s/i.test(source);
    });
    expect(bad).toEqual([]);
  });

  it('every inline query in package (non-test) code runs WITH USER_MODE and DML names AccessLevel.USER_MODE', () => {
    const problems: string[] = [];
    for (const file of mainFiles) {
      const source = readFileSync(file, 'utf8');
      for (const q of extractInlineSoql(source))
        if (!/WITH\s+USER_MODE/i.test(q.soql)) problems.push(`${file}:${q.line} query without USER_MODE`);
      for (const m of source.matchAll(/Database\.(insert|update|upsert|delete)\(([^;]*)\);/g)) {
        if (!m[2]?.includes('AccessLevel.USER_MODE') && !allowed(file)?.dml.test(m[2] ?? ''))
          problems.push(`${file}: Database.${m[1]} without AccessLevel.USER_MODE`);
      }
      if (/^\s*(insert|update|upsert|delete)\s+(?!as\s+user)/im.test(source))
        problems.push(`${file}: DML statement not in user mode`);
    }
    expect(problems).toEqual([]);
  });
});
