/** Compiles WHERE into a predicate closure, plus the IDs of an `Id = / Id IN` conjunct for index lookups. */
import type { Query } from '@jetstreamapp/soql-parser-js';
import { buildConditionTree, ConditionShapeError, countNots } from './condition-tree.ts';
import type { CondTree } from './condition-tree.ts';
import type { Env } from './env.ts';
import { buildMatcher, checkOperator, parseLiterals } from './filter.ts';
import type { Fail, LiteralSpec, Lit } from './filter.ts';
import { locate, locateKeyword } from './query-error.ts';
import { fail, nextJoinKey } from './scope.ts';
import type { Predicate, Scope } from './scope.ts';
import { idKey, to18, unquote } from './values.ts';

interface Leaf extends LiteralSpec {
  field?: string;
  fn?: { functionName?: string; parameters?: unknown[]; rawValue?: string };
  operator: string;
  valueQuery?: Query;
}

/** Runs a semi-join subquery and returns the lowercased 18-char IDs it selects. */
export type SemiJoinCompiler = (scope: Scope, query: Query) => (env: Env) => Set<string>;

export interface CompiledWhere {
  predicate: Predicate;
  /** IDs from a top-level `Id = ...` / `Id IN (...)` conjunct, as written (18-char); null when none. */
  ids: string[] | null;
}

export function toTree<L>(scope: Scope, clause: object, keyword: string): CondTree<L> {
  try {
    const tree = buildConditionTree<L>(clause);
    scope.r.notCount += countNots(tree);
    return tree;
  } catch (err) {
    if (err instanceof ConditionShapeError) {
      fail(
        scope,
        Math.max(locateKeyword(scope.r.soql, keyword, scope.from), 0),
        'MALFORMED_QUERY',
        `unexpected token: '${keyword}'`,
      );
    }
    throw err;
  }
}

export function compileTree<L, T>(
  tree: CondTree<L>,
  leaf: (l: L) => (x: T, env: Env) => boolean,
): (x: T, env: Env) => boolean {
  switch (tree.kind) {
    case 'leaf':
      return leaf(tree.leaf);
    case 'not': {
      const inner = compileTree(tree.part, leaf);
      return (x, env) => !inner(x, env);
    }
    case 'and': {
      const parts = tree.parts.map((p) => compileTree(p, leaf));
      return (x, env) => parts.every((p) => p(x, env));
    }
    case 'or': {
      const parts = tree.parts.map((p) => compileTree(p, leaf));
      return (x, env) => parts.some((p) => p(x, env));
    }
  }
}

export function compileWhere(scope: Scope, where: object, semiJoin: SemiJoinCompiler): CompiledWhere {
  const whereAt = Math.max(locateKeyword(scope.r.soql, 'WHERE', scope.from), scope.from);
  const tree = toTree<Leaf>(scope, where, 'WHERE');
  let ids: string[] | null = null;
  const leafFn = (leaf: Leaf): Predicate => {
    const compiled = compileLeaf(scope, leaf, whereAt, semiJoin);
    if (
      compiled.ids &&
      (tree.kind === 'leaf' || (tree.kind === 'and' && tree.parts.some((p) => p.kind === 'leaf' && p.leaf === leaf)))
    ) {
      ids = compiled.ids;
    }
    return compiled.predicate;
  };
  const predicate = compileTree(tree, leafFn);
  return { predicate, ids };
}

function compileLeaf(scope: Scope, leaf: Leaf, whereAt: number, semiJoin: SemiJoinCompiler): CompiledWhere {
  const op = leaf.operator.toUpperCase();
  if (leaf.fn) return { predicate: compileFunctionLeaf(scope, leaf, op, whereAt), ids: null };
  const path = leaf.field ?? '';
  const ref = scope.r.field(scope.object.name, path, whereAt, scope.alias);
  const at = locate(scope.r.soql, path, whereAt);
  const failHere: Fail = (code, message) => fail(scope, at, code, message);

  if (leaf.valueQuery) {
    if (op !== 'IN' && op !== 'NOT IN') failHere('MALFORMED_QUERY', `unexpected token: '${op}'`);
    if (ref.kind !== 'id')
      failHere('INVALID_FIELD', `Invalid semi join field: '${path}' must be an Id or a reference field`);
    const ids = semiJoin(scope, leaf.valueQuery);
    const key = nextJoinKey();
    const get = ref.get;
    const member = (rec: Parameters<Predicate>[0], env: Env): boolean => {
      const v = get(rec, env);
      return typeof v === 'string' && v !== '' && env.semiJoin(key, () => ids(env)).has(idKey(v));
    };
    return { predicate: op === 'IN' ? member : (rec, env) => !member(rec, env), ids: null };
  }

  checkOperator(ref.kind, op, ref.field.name, failHere);
  const lits = parseLiterals(leaf, ref.kind, ref.field, path, op, failHere);
  const match = buildMatcher(ref.kind, op, lits, ref.field.name, failHere);
  const get = ref.get;
  const predicate: Predicate = (rec, env) => match(get(rec, env), env);
  const isId = ref.steps.length === 0 && ref.field.name === 'Id' && (op === '=' || op === 'IN');
  return { predicate, ids: isId && lits.every((l) => l.t === 'value') ? idLiterals(leaf) : null };
}

function idLiterals(leaf: Leaf): string[] {
  const values = Array.isArray(leaf.value) ? leaf.value : leaf.value === undefined ? [] : [leaf.value];
  return values.map((v) => to18(unquote(v)));
}

/** `toLabel(Field) = 'Label'` compares the picklist label; other functions in WHERE are not supported. */
function compileFunctionLeaf(scope: Scope, leaf: Leaf, op: string, whereAt: number): Predicate {
  const name = (leaf.fn?.functionName ?? '').toLowerCase();
  const raw = leaf.fn?.rawValue ?? name;
  const at = locate(scope.r.soql, leaf.fn?.functionName ?? raw, whereAt);
  const param = leaf.fn?.parameters?.[0];
  if (name !== 'tolabel' || typeof param !== 'string') {
    fail(scope, at, 'MALFORMED_QUERY', `unsupported function in WHERE: ${raw}`);
  }
  const ref = scope.r.field(scope.object.name, param, whereAt, scope.alias);
  const labels = labelMap(ref.field.picklistValues);
  const failHere: Fail = (code, message) => fail(scope, at, code, message);
  const lits: Lit[] = parseLiterals(leaf, 'text', ref.field, param, op, failHere);
  const match = buildMatcher('text', op, lits, ref.field.name, failHere);
  const get = ref.get;
  return (rec, env) => match(toLabel(get(rec, env), labels), env);
}

export function labelMap(values: ReadonlyArray<{ value: string; label: string }>): Map<string, string> {
  return new Map(values.map((v) => [v.value.toLowerCase(), v.label]));
}

/** Picklist (or multipicklist) value to its label(s); unknown values pass through, as Salesforce does. */
export function toLabel(raw: unknown, labels: Map<string, string>): unknown {
  if (raw === null || raw === undefined || raw === '') return null;
  return String(raw)
    .split(';')
    .map((v) => labels.get(v.toLowerCase()) ?? v)
    .join(';');
}
