import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { GENERATED_FILE, renderSObjectTypes } from '../../scripts/generate-sobject-types.ts';
import { readForceAppMetadata, type ObjectMeta } from '../../scripts/sf/lib/metadata.ts';
import { ExecutionStep, AgentTurnRequest } from '../../src/schemas/sobjects.ts';
import { FORCE_APP, REPO } from './support.ts';

/**
 * Business names of the sample lending org the worker may name (demo agent, scripts): they live in the customer's org,
 * not in Loom, so they come from the sample seed's object definitions rather than from force-app.
 */
const BUSINESS_ALLOW_LIST = seedBusinessNames(join(REPO, 'scripts/seeds/lending.yaml'));

/** The richer lending schema of the trust-layer describe fixtures: allowed only in files that load those describes. */
const FIXTURE_NAMES = new Set(
  readdirSync(join(REPO, 'test/fixtures/describe'))
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) =>
      [...readFileSync(join(REPO, 'test/fixtures/describe', file), 'utf8').matchAll(/"name": *"(\w+__[cr])"/g)].map(
        (m) => m[1]!,
      ),
    ),
);

function seedBusinessNames(seedPath: string): Set<string> {
  const seed = parseYaml(readFileSync(seedPath, 'utf8')) as {
    objects?: Record<string, { fields?: Record<string, { relationshipName?: string }> }>;
  };
  const names = new Set<string>();
  for (const [object, definition] of Object.entries(seed.objects ?? {})) {
    names.add(object);
    for (const [field, spec] of Object.entries(definition.fields ?? {})) {
      names.add(field);
      if (field.endsWith('__c')) names.add(field.replace(/__c$/, '__r'));
      if (spec?.relationshipName) names.add(`${spec.relationshipName}__r`);
    }
  }
  return names;
}

/** Every API name the package defines: objects, fields, parent and child relationship names. */
function knownNames(objects: ObjectMeta[]): Set<string> {
  const names = new Set<string>();
  for (const o of objects) {
    names.add(o.name);
    for (const f of o.fields) {
      names.add(f.name);
      if (f.relationshipName) {
        names.add(f.name.replace(/__c$/, '__r'));
        names.add(`${f.relationshipName}__r`);
      }
    }
  }
  return names;
}

/** `__c` / `__e` / `__r` names inside string and template literals of TypeScript source. */
function apiNamesInLiterals(source: string): string[] {
  const names: string[] = [];
  const literal = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (const match of source.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`])\/\/.*$/gm, '$1').matchAll(literal)) {
    for (const name of match[0].matchAll(/\b[A-Za-z][A-Za-z0-9_]*__[cer]\b/g)) names.push(name[0]);
  }
  return names;
}

function workerSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (relative(REPO, path) !== join('src', 'emulator')) out.push(...workerSources(path));
    } else if (entry.endsWith('.ts') && path !== GENERATED_FILE) out.push(path);
  }
  return out;
}

describe('worker and package stay consistent', () => {
  const objects = readForceAppMetadata(FORCE_APP);

  it('src/schemas/sobjects.ts is exactly what the generator produces from force-app', () => {
    expect(
      readFileSync(GENERATED_FILE, 'utf8') === renderSObjectTypes(objects),
      'run: npx tsx scripts/generate-sobject-types.ts',
    ).toBe(true);
  });

  it('the generated constants carry names, types and picklist values', () => {
    expect(ExecutionStep.name).toBe('ExecutionStep__c');
    expect(ExecutionStep.fields.StepKey).toBe('StepKey__c');
    expect(ExecutionStep.fieldTypes.StepKey__c).toBe('Text');
    expect(ExecutionStep.picklists.StepType__c).toContain('ToolCall');
    expect(ExecutionStep.externalIds).toContain('StepKey__c');
    expect(ExecutionStep.relationships.AgentExecution__c).toEqual({
      name: 'AgentExecution__r',
      referenceTo: 'AgentExecution__c',
    });
    expect(AgentTurnRequest.fields.CreatedById).toBe('CreatedById');
  });

  it('drift is detected: a renamed field changes the generated file', () => {
    const renamed = objects.map((o) =>
      o.name === 'ExecutionStep__c'
        ? { ...o, fields: o.fields.map((f) => (f.name === 'StepKey__c' ? { ...f, name: 'StepId__c' } : f)) }
        : o,
    );
    expect(renderSObjectTypes(renamed)).not.toBe(renderSObjectTypes(objects));
  });

  it('every __c/__e/__r name in worker source exists in force-app or the lending allow-list', () => {
    const known = knownNames(objects);
    const unknown: string[] = [];
    for (const file of workerSources(join(REPO, 'src'))) {
      const text = readFileSync(file, 'utf8');
      const usesFixtureSchema = text.includes('loadDescribeIndex(');
      for (const name of apiNamesInLiterals(text)) {
        if (usesFixtureSchema && FIXTURE_NAMES.has(name)) continue;
        if (!known.has(name) && !BUSINESS_ALLOW_LIST.has(name)) unknown.push(`${relative(REPO, file)}: ${name}`);
      }
    }
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('the scanner finds names in strings and templates but not in comments', () => {
    const src =
      "const a = 'ExecutionStep__c'; // 'Ghost__c'\nconst q = `SELECT Nope__c FROM ${x}`; /* 'Hidden__c' */ const r = \"Owner__r\";";
    expect(apiNamesInLiterals(src)).toEqual(['ExecutionStep__c', 'Nope__c', 'Owner__r']);
    const known = knownNames(objects);
    expect(known.has('AgentExecution__r')).toBe(true);
    expect(known.has('ExecutionSteps__r')).toBe(true);
    expect(known.has('Nope__c')).toBe(false);
  });
});
