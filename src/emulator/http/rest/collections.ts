import { z } from 'zod';
import { ApiError } from '../../org/model.ts';
import { isWellFormedId } from '../ids.ts';
import { json, methodNotAllowed, type RouteResult } from '../respond.ts';
import { fieldsOf, type RestContext, type RestRequest } from './context.ts';
import { checkId, createRecord, objectOf } from './sobjects.ts';

export const MAX_COLLECTION_RECORDS = 200;
const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [] as string[],
};

const Body = z.object({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}
type RecordResult = Record<string, unknown> & { success: boolean; errors: RecordError[] };

class RollBack extends Error {}

function parseBody(body: unknown): z.infer<typeof Body> {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Invalid collection request: ${z.prettifyError(parsed.error)}`);
  }
  if (parsed.data.records.length > MAX_COLLECTION_RECORDS) {
    throw new ApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
    );
  }
  return parsed.data;
}

function failure(error: unknown): RecordResult {
  if (!(error instanceof ApiError)) throw error;
  return {
    success: false,
    errors: [{ statusCode: error.errorCode, message: error.message, fields: error.fields ?? [] }],
  };
}

/** Runs each record's operation in request order; with allOrNone any failure rolls every record back. */
function runAll<T>(
  ctx: RestContext,
  items: T[],
  allOrNone: boolean,
  op: (item: T) => Record<string, unknown>,
): RecordResult[] {
  const attempt = (): RecordResult[] =>
    items.map((item) => {
      try {
        const result = op(item);
        return { id: result.id, success: true, errors: [], ...result } as RecordResult;
      } catch (error) {
        return failure(error);
      }
    });
  if (!allOrNone) return attempt();
  let results: RecordResult[] = [];
  try {
    ctx.org.transaction(() => {
      results = attempt();
      if (results.some((r) => !r.success)) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    results = results.map((r) => (r.success ? { success: false, errors: [{ ...ROLLED_BACK }] } : r));
  }
  return results;
}

function typeOf(record: Record<string, unknown>): string {
  const attributes = record.attributes as { type?: unknown } | undefined;
  if (!attributes || typeof attributes.type !== 'string' || attributes.type === '') {
    throw new ApiError(400, 'INVALID_TYPE', 'Must specify a type in the attributes of each record');
  }
  return attributes.type;
}

function idOf(fields: Record<string, unknown>): { id: string | undefined; rest: Record<string, unknown> } {
  let id: string | undefined;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.toLowerCase() === 'id') id = typeof value === 'string' ? value : undefined;
    else rest[key] = value;
  }
  return { id, rest };
}

function retrieveMany(ctx: RestContext, type: string, ids: string[], fields: string[]): RouteResult {
  const def = objectOf(ctx, type);
  if (ids.length > 2000)
    throw new ApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 2000 records into this call',
    );
  if (fields.length === 0) throw new ApiError(400, 'MALFORMED_QUERY', 'fields must be specified');
  const records = ids.map((id) => {
    checkId(ctx, def, id);
    try {
      return ctx.org.retrieve(ctx.access, def.name, id, { apiVersion: ctx.apiVersion, fields });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  });
  return json(200, records);
}

const csv = (raw: string | null): string[] =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Routes `/composite/sobjects[/{Type}[/{ExtIdField}]]`. */
export function collectionsRoute(req: RestRequest, ctx: RestContext, parts: string[]): RouteResult {
  const { method } = req;
  const [type, extIdField, ...extra] = parts;
  if (extra.length > 0) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (type !== undefined && extIdField === undefined) return retrieveRoute(req, ctx, type);
  if (type !== undefined && extIdField !== undefined) {
    if (method !== 'PATCH') return methodNotAllowed(method, ['PATCH']);
    return json(200, upsertAll(req, ctx, type, extIdField));
  }
  if (method === 'POST') return json(200, createAll(req, ctx));
  if (method === 'PATCH') return json(200, updateAll(req, ctx));
  if (method === 'DELETE') return json(200, deleteAll(req, ctx));
  return methodNotAllowed(method, ['POST', 'PATCH', 'DELETE']);
}

/** `GET /composite/sobjects/{Type}?ids=&fields=`, or the same as a POST body. */
function retrieveRoute(req: RestRequest, ctx: RestContext, type: string): RouteResult {
  const { method } = req;
  if (method === 'GET') return retrieveMany(ctx, type, csv(req.query.get('ids')), csv(req.query.get('fields')));
  if (method !== 'POST') return methodNotAllowed(method, ['GET', 'POST']);
  const body = z.object({ ids: z.array(z.string()), fields: z.array(z.string()) }).safeParse(req.body);
  if (!body.success)
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Invalid retrieve request: ${z.prettifyError(body.error)}`);
  return retrieveMany(ctx, type, body.data.ids, body.data.fields);
}

/** `PATCH /composite/sobjects/{Type}/{ExtIdField}`: upserts by an external ID, every record of that type. */
function upsertAll(req: RestRequest, ctx: RestContext, type: string, extIdField: string): RecordResult[] {
  const { allOrNone = false, records } = parseBody(req.body);
  const def = objectOf(ctx, type);
  return runAll(ctx, records, allOrNone, (record) => {
    if (typeOf(record).toLowerCase() !== def.name.toLowerCase()) {
      throw new ApiError(400, 'INVALID_TYPE', `Record type ${typeOf(record)} does not match ${def.name}`);
    }
    const fields = fieldsOf(record);
    const key = Object.keys(fields).find((k) => k.toLowerCase() === extIdField.toLowerCase());
    const value = key === undefined ? undefined : fields[key];
    if (key === undefined || value === null || value === undefined) {
      throw new ApiError(400, 'INVALID_FIELD', `The value of the ${extIdField} field is missing`, [extIdField]);
    }
    const rest = { ...fields };
    delete rest[key];
    const result = ctx.org.upsert(ctx.access, def.name, extIdField, String(value), rest);
    return { id: result.id, created: result.created };
  });
}

function createAll(req: RestRequest, ctx: RestContext): RecordResult[] {
  const { allOrNone = false, records } = parseBody(req.body);
  return runAll(ctx, records, allOrNone, (record) => {
    const def = objectOf(ctx, typeOf(record));
    return createRecord(ctx, def, fieldsOf(record));
  });
}

function updateAll(req: RestRequest, ctx: RestContext): RecordResult[] {
  const { allOrNone = false, records } = parseBody(req.body);
  return runAll(ctx, records, allOrNone, (record) => {
    const def = objectOf(ctx, typeOf(record));
    const { id, rest } = idOf(fieldsOf(record));
    if (!id) throw new ApiError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
    checkId(ctx, def, id);
    ctx.org.update(ctx.access, def.name, id, rest);
    return { id };
  });
}

/** `DELETE /composite/sobjects?ids=`: each ID's object is the stored record's, whatever its type. */
function deleteAll(req: RestRequest, ctx: RestContext): RecordResult[] {
  const ids = csv(req.query.get('ids'));
  if (ids.length === 0) throw new ApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
  if (ids.length > MAX_COLLECTION_RECORDS) {
    throw new ApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
    );
  }
  const allOrNone = req.query.get('allOrNone') === 'true';
  return runAll(ctx, ids, allOrNone, (id) => {
    // The stored record knows its object: every share object's rows carry the same key prefix.
    const def = isWellFormedId(id)
      ? (ctx.org.store.get(id, { includeDeleted: true })?.object ?? ctx.org.schema.objectForId(id))
      : undefined;
    if (!def) throw new ApiError(400, 'MALFORMED_ID', `malformed id ${id}`, ['Id']);
    ctx.org.delete(ctx.access, def.name, id);
    return { id };
  });
}
