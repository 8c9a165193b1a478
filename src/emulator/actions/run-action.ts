/**
 * Runs one invocation of a declared action AS THE CALLER: every create, update and query goes through the org with the
 * caller's access, so CRUD, FLS and sharing apply (autolaunched flows run in user context by default; Loom's invocable
 * Apex runs `with sharing` and in user mode). Effects of one invocation are atomic: a failure rolls back the earlier ones.
 */
import { ApiError } from '../org/model.ts';
import type { OrgApi, UserAccess } from '../org/model.ts';
import { render, type ActionDecl, type EffectDecl, type InputDecl } from './declarations.ts';

export interface ActionErrorEntry {
  statusCode: string;
  message: string;
  fields: string[];
}

/** One element of the invocable-action response array. */
export interface InvocationResult {
  actionName: string;
  errors: ActionErrorEntry[] | null;
  isSuccess: boolean;
  outputValues: Record<string, unknown> | null;
  version: number;
}

export interface RunEnv {
  org: OrgApi;
  access: UserAccess;
  apiVersion: string;
}

/** A refusal inside the action, reported as the element's `errors` (never as an HTTP error). */
class ActionFailure extends Error {
  constructor(
    readonly statusCode: string,
    message: string,
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

export function invocationResult(
  actionName: string,
  outcome: { outputs: Record<string, unknown> } | { errors: ActionErrorEntry[] },
): InvocationResult {
  return 'errors' in outcome
    ? { actionName, errors: outcome.errors, isSuccess: false, outputValues: null, version: 1 }
    : { actionName, errors: null, isSuccess: true, outputValues: outcome.outputs, version: 1 };
}

export function runAction(action: ActionDecl, input: Record<string, unknown>, env: RunEnv): InvocationResult {
  try {
    const bindings = new Map<string, unknown>(Object.entries(coerceInputs(action.inputs, input)));
    const lookup = (ref: string): unknown => resolve(bindings, ref);
    env.org.transaction(() => {
      for (const effect of action.effects) runEffect(effect, bindings, lookup, env);
    });
    const outputs: Record<string, unknown> = {};
    for (const [name, template] of Object.entries(action.outputs)) outputs[name] = render(template, lookup);
    if (action.type === 'flow') outputs.Flow__InterviewStatus = 'Finished';
    return invocationResult(action.name, { outputs });
  } catch (error) {
    if (error instanceof ActionFailure)
      return invocationResult(action.name, {
        errors: [{ statusCode: error.statusCode, message: error.message, fields: error.fields }],
      });
    if (error instanceof ApiError)
      return invocationResult(action.name, {
        errors: [{ statusCode: error.errorCode, message: error.message.trim(), fields: error.fields ?? [] }],
      });
    throw error;
  }
}

function runEffect(
  effect: EffectDecl,
  bindings: Map<string, unknown>,
  lookup: (ref: string) => unknown,
  env: RunEnv,
): void {
  if ('fail' in effect) {
    if (effect.unless !== undefined && truthy(render(effect.unless, lookup))) return;
    throw new ActionFailure(effect.code, String(render(effect.fail, lookup)));
  }
  if ('query' in effect) {
    const soql = String(render(effect.query, lookup, soqlEscape));
    const first = env.org.query(env.access, soql, { apiVersion: env.apiVersion }).records[0] ?? null;
    if (first === null && effect.required) {
      // What an Apex `SObject x = [SELECT ...]` says when sharing hides the row.
      throw new ActionFailure('UNKNOWN_EXCEPTION', 'System.QueryException: List has no rows for assignment to SObject');
    }
    bindings.set(effect.as, first);
    return;
  }
  const fields: Record<string, unknown> = {};
  for (const [field, template] of Object.entries(effect.set)) fields[field] = render(template, lookup);
  if ('create' in effect) {
    const { id } = env.org.create(env.access, effect.create, fields);
    if (effect.as) bindings.set(effect.as, { Id: id });
    return;
  }
  const id = render(effect.id, lookup);
  if (typeof id !== 'string' || id === '')
    throw new ActionFailure('REQUIRED_FIELD_MISSING', `The record ID to update is empty (${effect.id})`, ['Id']);
  env.org.update(env.access, effect.update, id, fields);
  if (effect.as) bindings.set(effect.as, { Id: id });
}

/** Validates and coerces the caller's inputs against the declaration; unknown names are refused, not ignored. */
function coerceInputs(declared: InputDecl[], input: Record<string, unknown>): Record<string, unknown> {
  const byName = new Map(declared.map((decl) => [decl.name.toLowerCase(), decl]));
  const unknown = Object.keys(input).filter((key) => !byName.has(key.toLowerCase()));
  if (unknown.length > 0)
    throw new ActionFailure('INVALID_INPUT', `Unknown input parameter(s): ${unknown.join(', ')}`, unknown);
  const values: Record<string, unknown> = {};
  for (const decl of declared) {
    const key = Object.keys(input).find((name) => name.toLowerCase() === decl.name.toLowerCase());
    const raw = key === undefined ? undefined : input[key];
    if (raw === undefined || raw === null || raw === '') {
      if (decl.required)
        throw new ActionFailure('REQUIRED_FIELD_MISSING', `Missing required input parameter: ${decl.name}`, [
          decl.name,
        ]);
      values[decl.name] = null;
      continue;
    }
    values[decl.name] = coerce(decl, raw);
  }
  return values;
}

function coerce(decl: InputDecl, raw: unknown): unknown {
  const bad = (): never => {
    throw new ActionFailure(
      'INVALID_TYPE_FOR_OPERATION',
      `Input parameter ${decl.name} expects a ${decl.type}, got ${JSON.stringify(raw).slice(0, 60)}`,
      [decl.name],
    );
  };
  switch (decl.type) {
    case 'string':
      return typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : bad();
    case 'number': {
      const value =
        typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      return Number.isFinite(value) ? value : bad();
    }
    case 'boolean':
      return typeof raw === 'boolean' ? raw : raw === 'true' ? true : raw === 'false' ? false : bad();
    case 'id':
      return typeof raw === 'string' && /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(raw) ? raw : bad();
    case 'date':
      return typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(raw) ? raw : bad();
    case 'datetime':
      return typeof raw === 'string' && !Number.isNaN(Date.parse(raw)) ? raw : bad();
  }
}

function resolve(bindings: Map<string, unknown>, ref: string): unknown {
  const [root = '', field] = ref.split('.');
  const value = bindings.get(root);
  if (field === undefined) return value;
  if (value === null || typeof value !== 'object') return null;
  const key = Object.keys(value).find((name) => name.toLowerCase() === field.toLowerCase());
  return key === undefined ? null : (value as Record<string, unknown>)[key];
}

function truthy(value: unknown): boolean {
  return !(
    value === null ||
    value === undefined ||
    value === false ||
    value === 0 ||
    value === '' ||
    value === 'false'
  );
}

/** Merge values inside a SOQL string literal: quotes and backslashes escaped, so an input cannot end the literal. */
function soqlEscape(text: string): string {
  return text
    .replace(/[\\']/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}
