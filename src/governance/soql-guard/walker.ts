import type {
  FieldSubquery,
  FieldType,
  FieldTypeOf,
  FunctionExp,
  HavingClause,
  Query,
  QueryBase,
  Subquery,
  WhereClause,
} from '@jetstreamapp/soql-parser-js';
import type { DescribeIndex } from '../describe.ts';

/** Every SOQL function the guard understands; anything else is refused rather than guessed at. */
// prettier-ignore
const KNOWN_FUNCTIONS = new Set([
  'AVG', 'COUNT', 'COUNT_DISTINCT', 'MIN', 'MAX', 'SUM', 'GROUPING',
  'CALENDAR_MONTH', 'CALENDAR_QUARTER', 'CALENDAR_YEAR', 'DAY_IN_MONTH', 'DAY_IN_WEEK', 'DAY_IN_YEAR', 'DAY_ONLY',
  'FISCAL_MONTH', 'FISCAL_QUARTER', 'FISCAL_YEAR', 'HOUR_IN_DAY', 'WEEK_IN_MONTH', 'WEEK_IN_YEAR',
  'TOLABEL', 'CONVERTCURRENCY', 'CONVERTTIMEZONE', 'FORMAT', 'DISTANCE', 'GEOLOCATION', 'ROLLUP', 'CUBE',
]);

// Keys the parser may produce; an unexpected key means a construct this walker does not understand, so it refuses.
// prettier-ignore
const QUERY_KEYS = new Set([
  'fields', 'sObject', 'sObjectAlias', 'usingScope', 'where', 'limit', 'offset', 'groupBy', 'having', 'orderBy',
  'withDataCategory', 'withSecurityEnforced', 'withAccessLevel', 'for', 'update', 'relationshipName', 'sObjectPrefix',
]);
// prettier-ignore
const CONDITION_KEYS = new Set([
  'field', 'fn', 'operator', 'value', 'literalType', 'valueQuery', 'openParen', 'closeParen', 'dateLiteralVariable',
]);
const LITERAL = /^(?:'(?:[^'\\]|\\.)*'|[-+]?\d+(?:\.\d+)?)$/s;

interface Scope {
  /** Canonical API name of the object this (sub)query reads. */
  object: string;
  alias: string | undefined;
  /** Display prefix for recorded field paths, e.g. `Account.Loan_Applications__r`. */
  prefix: string;
  /** Where this (sub)query sits, prefixed to violations: '' at top level. */
  context: string;
}

/** Resolves every field reference of a parsed query through the user's describe; collects what is not allowed. */
export class SoqlWalker {
  readonly violations: string[] = [];
  readonly objects = new Set<string>();
  readonly fieldPaths = new Set<string>();
  /** Where each field lands in a result record (`Applicant__r.Email__c`) → the `Object.Field` pairs it can come from. */
  readonly resultFields = new Map<string, Set<string>>();

  constructor(private readonly index: DescribeIndex) {}

  /** A top-level query or a semi-join subquery: both name their object in FROM. */
  query(query: Query, context: string): void {
    if (!query.sObject) return this.refuse(`${context}FROM: query has no FROM object`);
    const object = this.index.object(query.sObject);
    if (!object)
      return this.refuse(`${context}FROM: object '${query.sObject}' does not exist or is not readable by this user`);
    if (!object.queryable) return this.refuse(`${context}FROM: object '${object.name}' is not queryable`);
    this.objects.add(object.name);
    this.body(query, { object: object.name, alias: query.sObjectAlias, prefix: object.name, context });
  }

  private body(query: QueryBase, scope: Scope): void {
    const at = scope.context;
    for (const key of Object.keys(query)) {
      if (!QUERY_KEYS.has(key)) this.refuse(`${at}unsupported SOQL construct '${key}'`);
    }
    if (scope.alias !== undefined) this.checkAlias(scope);
    if (query.withAccessLevel === 'SYSTEM_MODE') this.refuse(`${at}WITH SYSTEM_MODE is not allowed`);
    if (query.for === 'UPDATE') this.refuse(`${at}FOR UPDATE is not allowed`);
    // FOR VIEW / FOR REFERENCE write: they update LastViewedDate / LastReferencedDate and add RecentlyViewed rows
    // (SOQL and SOSL Reference, "FOR VIEW and FOR REFERENCE"), so a read-only tool refuses them.
    else if (query.for !== undefined)
      this.refuse(`${at}FOR ${String(query.for)} is not allowed (it updates the records' recently-viewed data)`);
    if (query.update !== undefined) this.refuse(`${at}UPDATE ${query.update} is not allowed`);
    if (query.withDataCategory !== undefined) this.refuse(`${at}WITH DATA CATEGORY is not supported`);
    const fields = query.fields ?? [];
    if (fields.length === 0) this.refuse(`${at}SELECT list is empty`);
    for (const field of fields) this.selectField(field, scope);
    if (query.where) this.conditions(query.where, scope, 'WHERE');
    for (const group of toArray(query.groupBy)) {
      if ('fn' in group) this.fn(group.fn, scope, 'GROUP BY');
      else this.path(group.field, scope, 'GROUP BY');
    }
    if (query.having) this.conditions(query.having, scope, 'HAVING');
    for (const order of toArray(query.orderBy)) {
      if ('fn' in order) this.fn(order.fn, scope, 'ORDER BY');
      else this.path(order.field, scope, 'ORDER BY');
    }
  }

  private checkAlias(scope: Scope): void {
    const alias = scope.alias ?? '';
    // An alias that looks like (or is) a relationship or field name makes `alias.X` ambiguous: refuse instead of guessing.
    if (
      /__[a-z]+$/i.test(alias) ||
      this.index.field(scope.object, alias) ||
      this.index.parentRelationship(scope.object, alias)
    ) {
      this.refuse(`${scope.context}FROM: alias '${alias}' collides with a field or relationship name`);
    }
  }

  private selectField(field: FieldType, scope: Scope): void {
    switch (field.type) {
      case 'Field':
        if (!this.prefixMatches(field, scope)) return;
        return this.resolve(scope, scope.object, [field.field], 'SELECT', field.field, scope.prefix);
      case 'FieldRelationship': {
        if (!this.prefixMatches(field, scope)) return;
        const segments = [...field.relationships, field.field];
        return this.resolve(scope, scope.object, segments, 'SELECT', segments.join('.'), scope.prefix);
      }
      case 'FieldFunctionExpression':
        return this.fn(field, scope, 'SELECT');
      case 'FieldSubquery':
        return this.childSubquery(field, scope);
      case 'FieldTypeof':
        return this.typeOf(field, scope);
      default:
        return this.refuse(`${scope.context}SELECT: unsupported field expression ${JSON.stringify(field)}`);
    }
  }

  private prefixMatches(field: object, scope: Scope): boolean {
    const prefix = 'objectPrefix' in field ? field.objectPrefix : undefined;
    if (prefix === undefined || (scope.alias !== undefined && eq(String(prefix), scope.alias))) return true;
    this.refuse(`${scope.context}SELECT: prefix '${String(prefix)}' is not the alias of ${scope.object}`);
    return false;
  }

  private childSubquery(field: FieldSubquery, parent: Scope): void {
    const sub: Subquery = field.subquery;
    const label = `${parent.context}SELECT (${sub.relationshipName} subquery)`;
    if (
      sub.sObjectPrefix &&
      !(sub.sObjectPrefix.length === 1 && parent.alias && eq(sub.sObjectPrefix[0] ?? '', parent.alias))
    ) {
      return this.refuse(`${label}: unsupported relationship prefix '${sub.sObjectPrefix.join('.')}'`);
    }
    const child = this.index.childRelationship(parent.object, sub.relationshipName);
    if (!child) {
      return this.refuse(
        `${label}: '${sub.relationshipName}' is not a readable child relationship of ${parent.object}`,
      );
    }
    if (!this.index.field(child.childSObject, child.field)) {
      return this.refuse(`${label}: lookup field ${child.childSObject}.${child.field} is not readable`);
    }
    this.objects.add(child.childSObject);
    const scope: Scope = {
      object: child.childSObject,
      alias: sub.sObjectAlias,
      prefix: `${parent.prefix}.${child.relationshipName}`,
      context: `${label} `,
    };
    this.body(sub, scope);
  }

  private typeOf(field: FieldTypeOf, scope: Scope): void {
    const label = `${scope.context}SELECT TYPEOF ${field.field}`;
    const lookup = this.index.parentRelationship(scope.object, field.field);
    if (!lookup?.relationshipName) {
      return this.refuse(`${label}: '${field.field}' is not a readable relationship of ${scope.object}`);
    }
    const targets = lookup.referenceTo;
    const covered = new Set<string>();
    for (const condition of field.conditions) {
      let types: string[];
      if (condition.type === 'WHEN') {
        const type = targets.find((target) => eq(target, condition.objectType ?? ''));
        if (!type) {
          this.refuse(
            `${label}: '${condition.objectType ?? ''}' is not a type of ${scope.object}.${lookup.relationshipName}`,
          );
          continue;
        }
        covered.add(type.toLowerCase());
        types = [type];
      } else {
        types = targets.filter((target) => !covered.has(target.toLowerCase()));
      }
      for (const type of types) {
        const target = this.index.object(type);
        if (!target) {
          this.refuse(`${label}: object '${type}' is not readable by this user`);
          continue;
        }
        this.objects.add(target.name);
        for (const name of condition.fieldList) {
          const prefix = `${scope.prefix}.${lookup.relationshipName}(${target.name})`;
          this.resolve({ ...scope, context: '' }, target.name, name.split('.'), label, name, prefix);
        }
      }
    }
  }

  private fn(fn: FunctionExp, scope: Scope, clause: string): void {
    const name = (fn.functionName ?? '').toUpperCase();
    const params = fn.parameters ?? [];
    const at = `${scope.context}${clause}`;
    if (name === 'FIELDS') {
      return this.refuse(`${at}: FIELDS(${params.join(', ')}) is not allowed; name each field explicitly`);
    }
    if (!KNOWN_FUNCTIONS.has(name)) return this.refuse(`${at}: unsupported function '${fn.functionName ?? '?'}'`);
    for (const param of params) {
      if (typeof param !== 'string') this.fn(param, scope, clause);
      else if (!LITERAL.test(param.trim())) this.path(param.trim(), scope, clause);
    }
  }

  private conditions(start: WhereClause | HavingClause, scope: Scope, clause: string): void {
    // WHERE/HAVING are right-leaning linked lists: walk iteratively so deep nesting cannot overflow the stack.
    let node: unknown = start;
    while (node && typeof node === 'object') {
      const current = node as { left?: unknown; right?: unknown; operator?: unknown };
      if (current.left) this.condition(current.left as Record<string, unknown>, scope, clause);
      node = current.right;
    }
  }

  private condition(condition: Record<string, unknown>, scope: Scope, clause: string): void {
    const at = `${scope.context}${clause}`;
    for (const key of Object.keys(condition)) {
      if (!CONDITION_KEYS.has(key)) this.refuse(`${at}: unsupported SOQL construct '${key}'`);
    }
    if (condition['fn'] && typeof condition['fn'] === 'object') this.fn(condition['fn'] as FunctionExp, scope, clause);
    else if (typeof condition['field'] === 'string') this.path(condition['field'], scope, clause);
    else if (condition['operator'] !== undefined) this.refuse(`${at}: condition without a field`);
    const types = toArray(condition['literalType'] as string | string[] | undefined);
    if (types.includes('APEX_BIND_VARIABLE')) this.refuse(`${at}: bind variables are not allowed`);
    if (condition['valueQuery']) this.query(condition['valueQuery'] as Query, `${at} semi-join `);
    else if (types.includes('SUBQUERY')) this.refuse(`${at}: subquery without a body`);
  }

  private path(raw: string, scope: Scope, clause: string): void {
    const segments = raw.split('.');
    if (scope.alias !== undefined && segments.length > 1 && eq(segments[0] ?? '', scope.alias)) segments.shift();
    this.resolve(scope, scope.object, segments, clause, raw, scope.prefix);
  }

  /**
   * Result records name relationships without the FROM object or a TYPEOF type, so `Task.What(Loan__c).Amount__c`
   * lands at `What.Amount__c`; a polymorphic path collects every object it may come from.
   */
  private addResultField(prefix: string, objectName: string, fieldName: string): void {
    const path = [
      ...prefix
        .split('.')
        .slice(1)
        .map((segment) => segment.replace(/\(.*\)$/, '')),
      fieldName,
    ].join('.');
    let sources = this.resultFields.get(path);
    if (!sources) {
      sources = new Set();
      this.resultFields.set(path, sources);
    }
    sources.add(`${objectName}.${fieldName}`);
  }

  /** Resolve `A__r.B__r.Field` from `objectName`; every hop needs a readable lookup and a readable target. */
  private resolve(
    scope: Scope,
    objectName: string,
    segments: string[],
    clause: string,
    display: string,
    prefix: string,
  ): void {
    clause = `${scope.context}${clause}`;
    const [head, ...rest] = segments;
    if (!head || segments.some((segment) => segment.trim() === ''))
      return this.refuse(`${clause} ${display}: malformed field path`);
    if (rest.length === 0) {
      const field = this.index.field(objectName, head);
      if (!field) return this.refuse(`${clause} ${display}: '${head}' is not a readable field of ${objectName}`);
      this.fieldPaths.add(`${prefix}.${field.name}`);
      this.addResultField(prefix, objectName, field.name);
      return;
    }
    const lookup = this.index.parentRelationship(objectName, head);
    if (!lookup?.relationshipName) {
      return this.refuse(`${clause} ${display}: '${head}' is not a readable relationship of ${objectName}`);
    }
    if (lookup.referenceTo.length === 0) return this.refuse(`${clause} ${display}: '${head}' has no target object`);
    // Polymorphic lookups (Owner, What) resolve against every target, so every target must allow the rest of the path.
    for (const targetName of lookup.referenceTo) {
      const target = this.index.object(targetName);
      if (!target) {
        this.refuse(
          `${clause} ${display}: ${objectName}.${lookup.relationshipName} points to '${targetName}', which is not readable`,
        );
        continue;
      }
      this.objects.add(target.name);
      this.resolve(NO_CONTEXT, target.name, rest, clause, display, `${prefix}.${lookup.relationshipName}`);
    }
  }

  private refuse(message: string): void {
    if (!this.violations.includes(message)) this.violations.push(message);
  }
}

const NO_CONTEXT: Scope = { object: '', alias: undefined, prefix: '', context: '' };

function eq(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
