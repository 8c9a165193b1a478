import { parseQuery } from '@jetstreamapp/soql-parser-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildConditionTree,
  ConditionShapeError,
  countNotKeywords,
  countNots,
} from '../../../../src/emulator/soql/condition-tree.ts';
import type { CondTree } from '../../../../src/emulator/soql/condition-tree.ts';

type Expr = { v: number } | { not: Expr } | { and: [Expr, Expr] } | { or: [Expr, Expr] } | { paren: Expr };

const VARS = 4;

const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ v: fc.integer({ min: 0, max: VARS - 1 }) }),
    fc.record({ not: tie('e') }),
    fc.record({ and: fc.tuple(tie('e'), tie('e')) }),
    fc.record({ or: fc.tuple(tie('e'), tie('e')) }),
    fc.record({ paren: tie('e') }),
  ),
})).e;

/** Renders without adding parentheses, so the text's meaning depends on precedence. */
function render(e: Expr): string {
  if ('v' in e) return `F${e.v} = 1`;
  if ('not' in e) return `NOT ${render(e.not)}`;
  if ('and' in e) return `${render(e.and[0])} AND ${render(e.and[1])}`;
  if ('or' in e) return `${render(e.or[0])} OR ${render(e.or[1])}`;
  return `(${render(e.paren)})`;
}

/** Reference semantics of the rendered text: a classic precedence-climbing evaluator over its tokens. */
function evalText(text: string, env: boolean[]): boolean {
  const toks = text
    .replace(/\(/g, ' ( ')
    .replace(/\)/g, ' ) ')
    .replace(/F(\d) = 1/g, 'F$1')
    .trim()
    .split(/\s+/);
  let i = 0;
  const or = (): boolean => {
    let v = and();
    while (toks[i] === 'OR') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (toks[i] === 'AND') {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const not = (): boolean => {
    if (toks[i] === 'NOT') {
      i++;
      return !not();
    }
    const t = toks[i++]!;
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    return env[Number(t.slice(1))]!;
  };
  return or();
}

function evalTree(tree: CondTree<{ field: string }>, env: boolean[]): boolean {
  switch (tree.kind) {
    case 'leaf':
      return env[Number(tree.leaf.field.slice(1))]!;
    case 'not':
      return !evalTree(tree.part, env);
    case 'and':
      return tree.parts.every((p) => evalTree(p, env));
    case 'or':
      return tree.parts.some((p) => evalTree(p, env));
  }
}

describe('buildConditionTree', () => {
  it('turns the linked list into a precedence tree: NOT > AND > OR', () => {
    const where = parseQuery('SELECT Id FROM A WHERE A = 1 OR B = 2 AND NOT C = 3').where!;
    const tree = buildConditionTree<{ field: string }>(where);
    expect(tree.kind).toBe('or');
    const shape = (t: CondTree<{ field: string }>): unknown =>
      t.kind === 'leaf' ? t.leaf.field : t.kind === 'not' ? { not: shape(t.part) } : { [t.kind]: t.parts.map(shape) };
    expect(shape(tree)).toEqual({ or: ['A', { and: ['B', { not: 'C' }] }] });
    const paren = buildConditionTree<{ field: string }>(
      parseQuery('SELECT Id FROM A WHERE (NOT (A = 1 OR B = 2)) AND ((C = 1))').where!,
    );
    expect(shape(paren)).toEqual({ and: [{ not: { or: ['A', 'B'] } }, 'C'] });
  });

  it('agrees with a reference evaluator on random expressions, or detects a lossy parse', () => {
    let detected = 0;
    fc.assert(
      fc.property(expr, fc.array(fc.boolean(), { minLength: VARS, maxLength: VARS }), (e, env) => {
        const text = render(e);
        let tree: CondTree<{ field: string }>;
        try {
          tree = buildConditionTree<{ field: string }>(parseQuery(`SELECT Id FROM A WHERE ${text}`).where!);
        } catch (error) {
          // The parser sometimes drops parentheses (e.g. `NOT ((NOT ((NOT a))))`): the counts no longer balance and the
          // emulator answers MALFORMED_QUERY instead of evaluating a different condition.
          expect(error).toBeInstanceOf(ConditionShapeError);
          detected++;
          return;
        }
        if (countNots(tree) !== countNotKeywords(text)) {
          detected++;
          return;
        }
        expect(evalTree(tree, env)).toBe(evalText(text, env));
      }),
      { numRuns: 500 },
    );
    expect(detected).toBeLessThan(500);
  });

  it('refuses a parse whose parentheses no longer balance rather than guessing', () => {
    const where = parseQuery('SELECT Id FROM A WHERE NOT ((NOT ((NOT F0 = 1)))) OR F0 = 1').where!;
    expect(() => buildConditionTree(where)).toThrow(ConditionShapeError);
  });

  it('counts NOT keywords outside literals and NOT IN', () => {
    expect(countNotKeywords("SELECT Id FROM A WHERE NOT Name = 'NOT x' AND Id NOT IN ('a') AND NOT\nB = 1")).toBe(2);
    const lossy = buildConditionTree(parseQuery('SELECT Id FROM A WHERE NOT NOT (NOT A = 1 AND B = 1)').where!);
    expect(countNots(lossy)).not.toBe(countNotKeywords('NOT NOT (NOT A = 1 AND B = 1)'));
  });
});
