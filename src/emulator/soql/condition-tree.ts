/**
 * soql-parser-js returns WHERE/HAVING as a right-leaning linked list with openParen/closeParen counts on the leaves.
 * This rebuilds a real precedence tree (parentheses, then NOT > AND > OR) with a tiny recursive-descent parser.
 */

export type CondTree<L> =
  { kind: 'and' | 'or'; parts: Array<CondTree<L>> } | { kind: 'not'; part: CondTree<L> } | { kind: 'leaf'; leaf: L };

interface ListNode {
  left?: unknown;
  operator?: string;
  right?: ListNode;
}

type Tok<L> = '(' | ')' | 'AND' | 'OR' | 'NOT' | { leaf: L };

/** Thrown for shapes the grammar should never produce; callers turn it into MALFORMED_QUERY. */
export class ConditionShapeError extends Error {}

function isParenOnly(left: Record<string, unknown>): boolean {
  return left['field'] === undefined && left['fn'] === undefined && left['operator'] === undefined;
}

function flatten<L>(clause: ListNode): Array<Tok<L>> {
  const out: Array<Tok<L>> = [];
  for (let node: ListNode | undefined = clause; node; node = node.right) {
    const left = node.left as Record<string, unknown> | null | undefined;
    if (left) {
      const open = typeof left['openParen'] === 'number' ? left['openParen'] : 0;
      for (let i = 0; i < open; i++) out.push('(');
      if (!isParenOnly(left)) {
        out.push({ leaf: left as L });
        const close = typeof left['closeParen'] === 'number' ? left['closeParen'] : 0;
        for (let i = 0; i < close; i++) out.push(')');
      }
    }
    const op = node.operator?.toUpperCase();
    if (op === 'AND' || op === 'OR' || op === 'NOT') out.push(op);
    else if (op !== undefined) throw new ConditionShapeError(`unexpected logical operator ${op}`);
  }
  return out;
}

export function buildConditionTree<L>(clause: object): CondTree<L> {
  const toks = flatten<L>(clause as ListNode);
  let pos = 0;
  const peek = (): Tok<L> | undefined => toks[pos];

  const parseOr = (): CondTree<L> => {
    const parts = [parseAnd()];
    while (peek() === 'OR') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  };
  const parseAnd = (): CondTree<L> => {
    const parts = [parseNot()];
    while (peek() === 'AND') {
      pos++;
      parts.push(parseNot());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  };
  const parseNot = (): CondTree<L> => {
    if (peek() === 'NOT') {
      pos++;
      return { kind: 'not', part: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondTree<L> => {
    const tok = toks[pos++];
    if (tok === '(') {
      const inner = parseOr();
      if (toks[pos++] !== ')') throw new ConditionShapeError('unbalanced parentheses');
      return inner;
    }
    if (tok !== undefined && typeof tok === 'object') return { kind: 'leaf', leaf: tok.leaf };
    throw new ConditionShapeError(`unexpected ${String(tok ?? 'end of condition')}`);
  };

  const tree = parseOr();
  if (pos !== toks.length) throw new ConditionShapeError('unbalanced parentheses');
  return tree;
}

export function countNots<L>(tree: CondTree<L>): number {
  switch (tree.kind) {
    case 'leaf':
      return 0;
    case 'not':
      return 1 + countNots(tree.part);
    default:
      return tree.parts.reduce((n, p) => n + countNots(p), 0);
  }
}

/**
 * Logical NOT keywords in the SOQL text (string literals and `NOT IN` excluded). soql-parser-js silently drops one
 * NOT in `NOT NOT (...)`; comparing this count with the trees' NOT nodes detects such lossy parses.
 */
export function countNotKeywords(soql: string): number {
  const blanked = soql.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  return (blanked.match(/\bNOT\b(?!\s+IN\b)/gi) ?? []).length;
}
