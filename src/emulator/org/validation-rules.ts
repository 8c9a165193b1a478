/**
 * Validation rules: an error-condition formula per rule, checked on every insert and update (in system context, like
 * Salesforce, whoever saves); when the formula is true the save fails with 400 FIELD_CUSTOM_VALIDATION_EXCEPTION, the
 * rule's message and `fields: [errorDisplayField]` (`[]` when the error shows at the top of the page). Metadata API
 * "ValidationRule" (errorConditionFormula, errorMessage, errorDisplayField, active); Formula Operators and Functions
 * (Salesforce Help).
 *
 * The formula subset: field references, `$User.Id`, `$User.ProfileId`, `$User.Username`, number/text/boolean/null
 * literals, `+ - * / &`, `= == != <> < <= > >=`, `&& ||`, and AND, OR, NOT, IF, ISBLANK, ISNULL, ISNEW, ISCHANGED,
 * PRIORVALUE, ISPICKVAL, REGEX, LEN, TEXT, BEGINS, CONTAINS. A formula outside it fails the seed load, naming the rule.
 */
import { ApiError } from './model.ts';
import type { ObjectDef, SObjectRecord, ValidationRuleDef } from './model.ts';

export type { ValidationRuleDef };

export interface RuleContext {
  object: ObjectDef;
  record: SObjectRecord;
  /** The record before this update; undefined on insert. */
  prior: SObjectRecord | undefined;
  user: { Id: string; ProfileId: unknown; Username: string };
}

type Value = string | number | boolean | null;
type Node =
  | { k: 'lit'; v: Value }
  | { k: 'ref'; path: string }
  | { k: 'call'; fn: string; args: Node[] }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'neg'; a: Node }
  | { k: 'not'; a: Node };

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\$?[A-Za-z_][\w.$]*)|(&&|\|\||==|!=|<>|<=|>=|[-+*/&=<>!(),]))/y;

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) throw new Error(`unexpected character at ${at}: ${source.slice(at, at + 10)}`);
    tokens.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
  }
  return tokens;
}

const FUNCTIONS = new Set([
  'AND',
  'OR',
  'NOT',
  'IF',
  'ISBLANK',
  'ISNULL',
  'ISNEW',
  'ISCHANGED',
  'PRIORVALUE',
  'ISPICKVAL',
  'REGEX',
  'LEN',
  'TEXT',
  'BEGINS',
  'CONTAINS',
]);

/** Parses a formula; throws Error with a readable reason when it is outside the subset. */
export function parseFormula(source: string): Node {
  const tokens = tokenize(source);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (expected?: string): string => {
    const token = tokens[i++];
    if (token === undefined || (expected !== undefined && token !== expected))
      throw new Error(`expected ${expected ?? 'a value'} but found ${token ?? 'the end'}`);
    return token;
  };
  const binary =
    (next: () => Node, ops: string[]): (() => Node) =>
    () => {
      let left = next();
      while (ops.includes(peek() ?? '')) {
        const op = take();
        left = { k: 'bin', op, a: left, b: next() };
      }
      return left;
    };
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (token === '-') return { k: 'neg', a: primary() };
    if (token === '!') return { k: 'not', a: primary() };
    if (/^\d/.test(token)) return { k: 'lit', v: Number(token) };
    if (/^['"]/.test(token)) return { k: 'lit', v: token.slice(1, -1).replace(/\\(.)/g, '$1') };
    const upper = token.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') return { k: 'lit', v: upper === 'TRUE' };
    if (upper === 'NULL') return { k: 'lit', v: null };
    if (peek() === '(') {
      if (!FUNCTIONS.has(upper)) throw new Error(`unsupported function ${token}`);
      take('(');
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(or());
        while (peek() === ',') {
          take(',');
          args.push(or());
        }
      }
      take(')');
      return { k: 'call', fn: upper, args };
    }
    return { k: 'ref', path: token };
  };
  const mul = binary(primary, ['*', '/']);
  const add = binary(mul, ['+', '-', '&']);
  const cmp = binary(add, ['=', '==', '!=', '<>', '<', '<=', '>', '>=']);
  const and = binary(cmp, ['&&']);
  const or = binary(and, ['||']);
  const tree = or();
  if (i < tokens.length) throw new Error(`unexpected ${tokens[i]}`);
  return tree;
}

const blank = (v: Value): boolean => v === null || v === '';

function compare(op: string, a: Value, b: Value): boolean {
  if (op === '=' || op === '==')
    return blank(a) && blank(b) ? true : a === b || (typeof a === 'string' && typeof b === 'string' && a === b);
  if (op === '!=' || op === '<>') return !compare('=', a, b);
  if (a === null || b === null) return false;
  const [x, y] = typeof a === 'number' || typeof b === 'number' ? [Number(a), Number(b)] : [String(a), String(b)];
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function evaluate(node: Node, ctx: RuleContext): Value {
  const ev = (n: Node): Value => evaluate(n, ctx);
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'neg':
      return -Number(ev(node.a));
    case 'not':
      return !ev(node.a);
    case 'ref':
      return readRef(node.path, ctx, ctx.record);
    case 'bin': {
      if (node.op === '&&') return Boolean(ev(node.a)) && Boolean(ev(node.b));
      if (node.op === '||') return Boolean(ev(node.a)) || Boolean(ev(node.b));
      const a = ev(node.a);
      const b = ev(node.b);
      if (node.op === '&') return `${a ?? ''}${b ?? ''}`;
      if (['+', '-', '*', '/'].includes(node.op)) {
        if (a === null || b === null) return null;
        const x = Number(a);
        const y = Number(b);
        return node.op === '+' ? x + y : node.op === '-' ? x - y : node.op === '*' ? x * y : x / y;
      }
      return compare(node.op, a, b);
    }
    case 'call':
      return call(node.fn, node.args, ctx);
  }
}

function fieldArg(args: Node[], fn: string): string {
  const arg = args[0];
  if (!arg || arg.k !== 'ref') throw new Error(`${fn} needs a field`);
  return arg.path;
}

function call(fn: string, args: Node[], ctx: RuleContext): Value {
  const ev = (n: Node | undefined): Value => (n ? evaluate(n, ctx) : null);
  switch (fn) {
    case 'AND':
      return args.every((a) => Boolean(ev(a)));
    case 'OR':
      return args.some((a) => Boolean(ev(a)));
    case 'NOT':
      return !ev(args[0]);
    case 'IF':
      return ev(args[0]) ? ev(args[1]) : ev(args[2]);
    case 'ISBLANK':
    case 'ISNULL':
      return blank(ev(args[0]));
    case 'ISNEW':
      return ctx.prior === undefined;
    case 'ISCHANGED': {
      const path = fieldArg(args, fn);
      return ctx.prior !== undefined && readRef(path, ctx, ctx.prior) !== readRef(path, ctx, ctx.record);
    }
    case 'PRIORVALUE':
      return ctx.prior === undefined
        ? readRef(fieldArg(args, fn), ctx, ctx.record)
        : readRef(fieldArg(args, fn), ctx, ctx.prior);
    case 'ISPICKVAL':
      return ev(args[0]) === ev(args[1]);
    case 'REGEX': {
      // Salesforce's REGEX matches the whole text (Java syntax; the common subset is the same in JavaScript).
      const text = ev(args[0]);
      return new RegExp(`^(?:${String(ev(args[1]))})$`).test(text === null ? '' : String(text));
    }
    case 'LEN':
      return String(ev(args[0]) ?? '').length;
    case 'TEXT': {
      const v = ev(args[0]);
      return v === null ? '' : String(v);
    }
    case 'BEGINS':
      return String(ev(args[0]) ?? '').startsWith(String(ev(args[1]) ?? ''));
    case 'CONTAINS':
      return String(ev(args[0]) ?? '').includes(String(ev(args[1]) ?? ''));
    default:
      throw new Error(`unsupported function ${fn}`);
  }
}

function readRef(path: string, ctx: RuleContext, record: SObjectRecord): Value {
  if (path.startsWith('$')) {
    const [global, name] = path.split('.');
    if (global?.toLowerCase() !== '$user' || !name) throw new Error(`unsupported global ${path}`);
    const key = (['Id', 'ProfileId', 'Username'] as const).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) throw new Error(`unsupported field ${path}`);
    return (ctx.user[key] ?? null) as Value;
  }
  const field = ctx.object.fields.find((f) => f.name.toLowerCase() === path.toLowerCase());
  if (!field) throw new Error(`unknown field ${path}`);
  return (record[field.name] ?? null) as Value;
}

/** Checks a rule parses and names only fields of `object` (seed load time), so mistakes surface early. */
export function checkRule(rule: ValidationRuleDef, object: ObjectDef): void {
  const tree = parseFormula(rule.formula);
  const visit = (node: Node): void => {
    if (node.k === 'ref')
      readRef(
        node.path,
        { object, record: { Id: '' }, prior: undefined, user: { Id: '', ProfileId: null, Username: '' } },
        { Id: '' },
      );
    if (node.k === 'call') node.args.forEach(visit);
    if (node.k === 'bin') [node.a, node.b].forEach(visit);
    if (node.k === 'neg' || node.k === 'not') visit(node.a);
  };
  visit(tree);
  if (rule.field !== null && !object.fields.some((f) => f.name.toLowerCase() === rule.field?.toLowerCase())) {
    throw new Error(`errorDisplayField ${rule.field} is not a field of ${object.name}`);
  }
}

const parsed = new Map<string, Node>();

/** Throws FIELD_CUSTOM_VALIDATION_EXCEPTION for the first active rule whose error condition holds. */
export function enforceValidationRules(rules: readonly ValidationRuleDef[] | undefined, ctx: RuleContext): void {
  for (const rule of rules ?? []) {
    if (!rule.active) continue;
    let tree = parsed.get(rule.formula);
    if (!tree) {
      tree = parseFormula(rule.formula);
      parsed.set(rule.formula, tree);
    }
    if (evaluate(tree, ctx) === true) {
      const field = rule.field
        ? ctx.object.fields.find((f) => f.name.toLowerCase() === rule.field?.toLowerCase())?.name
        : undefined;
      throw new ApiError(400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', rule.message, field ? [field] : []);
    }
  }
}
