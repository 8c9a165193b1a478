import { ApiError } from '../../org/model.ts';
import type { ObjectDef } from '../../org/model.ts';
import { isWellFormedId } from '../ids.ts';
import { json, methodNotAllowed, type RouteResult } from '../respond.ts';
import { dataPath, fieldsOf, requireObject, type RestContext, type RestRequest } from './context.ts';

/** The object named in a URL; unknown types answer 404 NOT_FOUND as Salesforce does. */
export function objectOf(ctx: RestContext, type: string): ObjectDef {
  const def = ctx.org.schema.object(type);
  if (!def) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return def;
}

/**
 * sObject Collections (one record of several): 400 MALFORMED_ID unless `id` is a well-formed ID of this object (its key
 * prefix; share objects all use 02c), reported per record with `fields: ["Id"]`.
 */
export function checkId(_ctx: RestContext, def: ObjectDef, id: string): void {
  if (!isWellFormedId(id) || id.slice(0, 3) !== def.keyPrefix) {
    throw new ApiError(400, 'MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${id}`, ['Id']);
  }
}

/**
 * `/sobjects/{Type}/{id}` (GET, PATCH, DELETE): the segment names no record of this type unless it is a well-formed ID
 * with this object's key prefix. Salesforce reads any other segment as an external-id lookup, so a made-up or mangled id
 * answers 404 NOT_FOUND "Provided external ID field does not exist or is not accessible: <segment>" (REST API Developer
 * Guide, "sObject Rows" and "sObject Rows by External ID": 404 when the record or field is not found; the wording is the
 * platform's, e.g. PATCH `/sobjects/Product2/undefined` in kevinohara80/nforce#192). A well-formed ID of another object
 * (wrong key prefix) is simply not a record of this type: 404 "The requested resource does not exist". Neither carries
 * `fields`: they are request errors, not save errors.
 */
export function checkRowId(def: ObjectDef, id: string): void {
  if (!isWellFormedId(id)) {
    throw new ApiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${id}`);
  }
  if (id.slice(0, 3) !== def.keyPrefix) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** Create result; platform events carry the OPERATION_ENQUEUED pseudo-error with the event UUID. */
export function createRecord(
  ctx: RestContext,
  def: ObjectDef,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  if (Object.keys(fields).some((key) => key.toLowerCase() === 'id')) {
    throw new ApiError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
  }
  const created = ctx.org.create(ctx.access, def.name, fields);
  const errors = created.eventUuid
    ? [{ statusCode: 'OPERATION_ENQUEUED', message: created.eventUuid, fields: [] }]
    : [];
  return { id: created.id, success: true, errors };
}

function parseFieldList(raw: string | null): string[] | undefined {
  if (raw === null) return undefined;
  const fields = raw
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return fields.length ? fields : undefined;
}

/** Routes `/sobjects…`. `parts` are the path segments after `sobjects`. */
export function sobjectsRoute(req: RestRequest, ctx: RestContext, parts: string[]): RouteResult {
  const { method } = req;
  const [type, second, third, ...rest] = parts;
  if (type === undefined) {
    if (method !== 'GET') return methodNotAllowed(method, ['GET', 'HEAD']);
    return json(200, ctx.org.describeGlobal(ctx.access, ctx.apiVersion));
  }
  if (rest.length > 0) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const def = objectOf(ctx, type);

  if (second === undefined) {
    if (method === 'GET') {
      const describe = ctx.org.describeSObject(ctx.access, def.name, ctx.apiVersion);
      return json(200, { objectDescribe: describe, recentItems: [] });
    }
    if (method !== 'POST') return methodNotAllowed(method, ['GET', 'HEAD', 'POST']);
    const fields = fieldsOf(requireObject(req.body));
    const result = createRecord(ctx, def, fields);
    return json(201, result, { Location: dataPath(ctx.apiVersion, `/sobjects/${def.name}/${String(result.id)}`) });
  }

  if (second === 'describe' && third === undefined) {
    if (method !== 'GET') return methodNotAllowed(method, ['GET', 'HEAD']);
    return json(200, ctx.org.describeSObject(ctx.access, def.name, ctx.apiVersion));
  }

  if (third !== undefined) return upsertRoute(req, ctx, def, second, third);

  const id = second;
  if (method === 'GET') {
    checkRowId(def, id);
    const fields = parseFieldList(req.query.get('fields'));
    const options = fields ? { apiVersion: ctx.apiVersion, fields } : { apiVersion: ctx.apiVersion };
    return json(200, ctx.org.retrieve(ctx.access, def.name, id, options));
  }
  if (method === 'PATCH') {
    checkRowId(def, id);
    ctx.org.update(ctx.access, def.name, id, fieldsOf(requireObject(req.body)));
    return { status: 204 };
  }
  if (method === 'DELETE') {
    checkRowId(def, id);
    ctx.org.delete(ctx.access, def.name, id);
    return { status: 204 };
  }
  return methodNotAllowed(method, ['GET', 'HEAD', 'PATCH', 'DELETE']);
}

/** The one record a readable external id names, as the caller sees it (404 none, 300 several). */
function byExternalId(ctx: RestContext, def: ObjectDef, fieldName: string, value: string): string {
  const field = ctx.org.schema.field(def.name, fieldName);
  if (!field || !(field.externalId || field.name === 'Id') || !ctx.access.canField(def.name, field.name, 'read')) {
    throw new ApiError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${fieldName}`,
    );
  }
  const same = (stored: unknown): boolean =>
    stored !== null &&
    stored !== undefined &&
    (field.caseSensitive ? String(stored) === value : String(stored).toLowerCase() === value.toLowerCase());
  const matches = ctx.org.store
    .all(def.name)
    .filter((record) => same(record[field.name]) && ctx.access.canRecord(def.name, record, 'read'));
  if (matches.length === 0) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (matches.length > 1) {
    const error = new ApiError(
      300,
      'MULTIPLE_CHOICES',
      `More than one record found for external id field ${field.name} with value ${value}`,
    );
    throw Object.assign(error, { recordIds: matches.map((r) => r.Id) });
  }
  return matches[0]?.Id ?? '';
}

/**
 * `/sobjects/{Type}/{ExtIdField}/{value}`: PATCH upserts (201 created, 200 updated, 300 several matches, from the
 * org); GET and DELETE address the single matching record.
 */
function upsertRoute(req: RestRequest, ctx: RestContext, def: ObjectDef, field: string, value: string): RouteResult {
  if (req.method === 'GET') {
    const id = byExternalId(ctx, def, field, value);
    const fields = parseFieldList(req.query.get('fields'));
    return json(
      200,
      ctx.org.retrieve(
        ctx.access,
        def.name,
        id,
        fields ? { apiVersion: ctx.apiVersion, fields } : { apiVersion: ctx.apiVersion },
      ),
    );
  }
  if (req.method === 'DELETE') {
    ctx.org.delete(ctx.access, def.name, byExternalId(ctx, def, field, value));
    return { status: 204 };
  }
  if (req.method !== 'PATCH') return methodNotAllowed(req.method, ['GET', 'HEAD', 'PATCH', 'DELETE']);
  const fields = fieldsOf(requireObject(req.body));
  const result = ctx.org.upsert(ctx.access, def.name, field, value, fields);
  const body = { id: result.id, success: true, errors: [], created: result.created };
  if (!result.created) return json(200, body);
  return json(201, body, { Location: dataPath(ctx.apiVersion, `/sobjects/${def.name}/${result.id}`) });
}
