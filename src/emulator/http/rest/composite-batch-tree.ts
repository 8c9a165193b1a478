/**
 * `/composite/batch` and `/composite/tree/{sObject}` (REST API Developer Guide, "Composite Batch" and "sObject Tree").
 *
 * Batch: up to 25 independent subrequests (`url` relative to `/services/data`, body in `richInput`), each its own
 * transaction; the response is always 200 `{hasErrors, results: [{statusCode, result}]}`. With `haltOnError` the
 * subrequests after the first failure answer 412 BATCH_PROCESSING_HALTED. The whole batch is one API call.
 *
 * Tree: nested record trees of one root type, at most 200 records in all and 5 levels deep; children sit under their
 * child relationship name as `{records: [...]}` and get the parent's ID in their lookup. All or nothing: 201
 * `{hasErrors: false, results: [{referenceId, id}]}`, or 400 `{hasErrors: true, results: [{referenceId, errors}]}` naming
 * the failed records only.
 */
import { z } from 'zod';
import { ApiError } from '../../org/model.ts';
import { json, methodNotAllowed, type RouteResult } from '../respond.ts';
import type { RestContext, RestRequest } from './context.ts';
import type { Dispatch } from './composite.ts';
import { MAX_SUBREQUESTS } from './composite.ts';
import { createRecord, objectOf } from './sobjects.ts';

const BatchBody = z.object({
  batchRequests: z
    .array(
      z.object({
        method: z.enum(['GET', 'POST', 'PATCH', 'DELETE', 'HEAD']),
        url: z.string().min(1),
        richInput: z.unknown().optional(),
      }),
    )
    .min(1),
  haltOnError: z.boolean().optional(),
});

export function batchRoute(req: RestRequest, ctx: RestContext, dispatch: Dispatch): RouteResult {
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
  const parsed = BatchBody.safeParse(req.body);
  if (!parsed.success)
    throw new ApiError(400, 'JSON_PARSER_ERROR', `Invalid batch request: ${z.prettifyError(parsed.error)}`);
  const { batchRequests, haltOnError = false } = parsed.data;
  if (batchRequests.length > MAX_SUBREQUESTS) {
    throw new ApiError(
      400,
      'INVALID_BATCH_REQUEST',
      `A batch can contain at most ${MAX_SUBREQUESTS} subrequests; got ${batchRequests.length}`,
    );
  }
  let halted = false;
  let hasErrors = false;
  const results = batchRequests.map((sub) => {
    if (halted)
      return {
        statusCode: 412,
        result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
      };
    const match = /^\/?(?:services\/data\/)?v(\d{2,3}\.0)(\/[^?]*)?(?:\?(.*))?$/.exec(sub.url);
    let result: RouteResult;
    if (!match)
      result = { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] };
    else if (/^\/composite(\/|$)/.test(match[2] ?? ''))
      result = {
        status: 400,
        body: [{ errorCode: 'INVALID_BATCH_REQUEST', message: 'Composite requests cannot be nested in a batch' }],
      };
    else {
      const request: RestRequest = {
        method: sub.method,
        path: match[2] ?? '',
        query: new URLSearchParams(match[3] ?? ''),
        headers: {},
        body: sub.richInput,
      };
      // Each subrequest is its own transaction: a failure rolls back only that subrequest.
      result = dispatch(request, { ...ctx, apiVersion: match[1] ?? ctx.apiVersion });
    }
    if (result.status >= 400) {
      hasErrors = true;
      if (haltOnError) halted = true;
    }
    return { statusCode: result.status, result: result.body ?? null };
  });
  return json(200, { hasErrors, results });
}

export const MAX_TREE_RECORDS = 200;
export const MAX_TREE_DEPTH = 5;

interface TreeNode {
  type: string;
  referenceId: string;
  fields: Record<string, unknown>;
  children: Array<{ relationship: string; records: TreeNode[] }>;
}

function treeError(message: string): ApiError {
  return new ApiError(400, 'INVALID_INPUT', message);
}

function parseNode(ctx: RestContext, raw: unknown, depth: number, counter: { n: number }): TreeNode {
  if (depth > MAX_TREE_DEPTH) throw treeError(`Record trees can be at most ${MAX_TREE_DEPTH} levels deep`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw treeError('Each record must be a JSON object');
  const { attributes, ...rest } = raw as Record<string, unknown>;
  const attrs = (attributes ?? {}) as { type?: unknown; referenceId?: unknown };
  if (typeof attrs.type !== 'string' || typeof attrs.referenceId !== 'string' || attrs.referenceId === '') {
    throw treeError('Each record needs attributes.type and attributes.referenceId');
  }
  counter.n += 1;
  if (counter.n > MAX_TREE_RECORDS) throw treeError(`A tree request can contain at most ${MAX_TREE_RECORDS} records`);
  const node: TreeNode = { type: attrs.type, referenceId: attrs.referenceId, fields: {}, children: [] };
  for (const [key, value] of Object.entries(rest)) {
    const nested =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Array.isArray((value as { records?: unknown }).records);
    if (!nested) {
      node.fields[key] = value;
      continue;
    }
    const records = (value as { records: unknown[] }).records.map((child) => parseNode(ctx, child, depth + 1, counter));
    node.children.push({ relationship: key, records });
  }
  return node;
}

/** POST /composite/tree/{sObject}. */
export function treeRoute(req: RestRequest, ctx: RestContext, type: string): RouteResult {
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
  const root = objectOf(ctx, type);
  const records = (req.body as { records?: unknown } | undefined)?.records;
  if (!Array.isArray(records) || records.length === 0) throw treeError('The request needs a non-empty "records" array');
  const counter = { n: 0 };
  const nodes = records.map((record) => parseNode(ctx, record, 1, counter));
  const seen = new Set<string>();
  const walk = (node: TreeNode): void => {
    if (seen.has(node.referenceId))
      throw treeError(`Duplicate referenceId provided in the request: ${node.referenceId}`);
    seen.add(node.referenceId);
    node.children.forEach((group) => group.records.forEach(walk));
  };
  nodes.forEach(walk);
  for (const node of nodes) {
    if (node.type.toLowerCase() !== root.name.toLowerCase())
      throw treeError(`Root records must be of type ${root.name}; got ${node.type}`);
  }

  const results: Array<{ referenceId: string; id: string }> = [];
  const failures: Array<{
    referenceId: string;
    errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  }> = [];
  const insert = (node: TreeNode, parent?: { object: string; id: string; relationship: string }): void => {
    const def = objectOf(ctx, node.type);
    const fields = { ...node.fields };
    if (parent) {
      const relation = ctx.org.schema.childRelationship(parent.object, parent.relationship);
      if (!relation || relation.childSObject.toLowerCase() !== def.name.toLowerCase()) {
        throw treeError(`${parent.relationship} is not a child relationship of ${parent.object} to ${def.name}`);
      }
      fields[relation.field] = parent.id;
    }
    let id: string;
    try {
      id = String(createRecord(ctx, def, fields).id);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      failures.push({
        referenceId: node.referenceId,
        errors: [{ statusCode: error.errorCode, message: error.message, fields: error.fields ?? [] }],
      });
      return;
    }
    results.push({ referenceId: node.referenceId, id });
    for (const group of node.children)
      for (const child of group.records) insert(child, { object: def.name, id, relationship: group.relationship });
  };
  class RollBack extends Error {}
  try {
    ctx.org.transaction(() => {
      nodes.forEach((node) => insert(node));
      if (failures.length > 0) throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
    return json(400, { hasErrors: true, results: failures });
  }
  return json(201, { hasErrors: false, results });
}
