import { z } from 'zod';
import { coerceFields } from '../../governance/coercion/index.ts';
import type { DescribeIndex, DescribeSObject } from '../../governance/describe.ts';
import { checkSoql, type SoqlVerdict } from '../../governance/soql-guard/index.ts';
import { SalesforceError } from '../../salesforce/rest-client.ts';
import type { ToolDefinition, ToolOutcome } from '../ports.ts';
import type { ToolContext } from './tool-context.ts';
import { sendEmail } from './send-email.ts';

export type { ToolContext } from './tool-context.ts';

const RecordId = z.string().regex(/^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/, 'must be a 15- or 18-character record ID');
const ObjectConfig = z.object({ object: z.string().min(1) }).loose();

/** What the capability's backend configuration must say for each standard action (admin-fixed, never model-chosen). */
export const BACKEND_SCHEMAS = {
  GetRecords: ObjectConfig.extend({
    fields: z.array(z.string()).min(1),
    maxRecords: z.number().int().min(1).max(200).default(50),
  }),
  SoqlQuery: z
    .object({ objects: z.array(z.string()).min(1), rowCap: z.number().int().min(1).max(2000).default(200) })
    .loose(),
  CreateRecord: ObjectConfig,
  UpdateRecord: ObjectConfig,
} as const;

/** Objects a standard action touches, and the access the user needs on them for the tool to be offered at all. */
export function requiredAccess(
  tool: Pick<ToolDefinition, 'implementationDetail' | 'backendConfiguration'>,
): Array<{ object: string; need: 'read' | 'create' | 'update' }> {
  const config = tool.backendConfiguration;
  switch (tool.implementationDetail) {
    case 'GetRecords':
      return [{ object: String(config.object ?? ''), need: 'read' }];
    case 'SoqlQuery':
      return (Array.isArray(config.objects) ? config.objects : []).map((object) => ({
        object: String(object),
        need: 'read' as const,
      }));
    case 'CreateRecord':
      return [{ object: String(config.object ?? ''), need: 'create' }];
    case 'UpdateRecord':
      return [{ object: String(config.object ?? ''), need: 'update' }];
    default:
      return [];
  }
}

export function permits(describe: DescribeSObject | null, need: 'read' | 'create' | 'update'): boolean {
  if (!describe) return false;
  if (need === 'create') return describe.createable === true;
  if (need === 'update') return describe.updateable === true;
  return describe.queryable !== false;
}

export async function runStandardAction(
  action: string,
  tool: ToolDefinition,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<ToolOutcome> {
  try {
    switch (action) {
      case 'GetRecords':
        return await getRecords(tool, args, ctx);
      case 'SoqlQuery':
        return await soqlQuery(tool, args, ctx);
      case 'CreateRecord':
        return await writeRecord('create', tool, args, ctx);
      case 'UpdateRecord':
        return await writeRecord('update', tool, args, ctx);
      case 'SendEmail':
        return await sendEmail(tool, args, ctx);
      default:
        return failure('Configuration', `The standard action "${action}" is not supported by this worker.`);
    }
  } catch (error) {
    if (error instanceof SalesforceError && !error.retryable) {
      // The org itself refused (FLS, sharing, validation): tell the model precisely, as data.
      return failure(error.category, `Salesforce refused the request: ${error.errorCode}: ${error.message.trim()}`);
    }
    throw error;
  }
}

async function getRecords(tool: ToolDefinition, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome> {
  const config = BACKEND_SCHEMAS.GetRecords.parse(tool.backendConfiguration);
  const ids = z.object({ recordIds: z.array(RecordId).min(1).max(config.maxRecords) }).safeParse({
    recordIds: Array.isArray(args.recordIds) ? args.recordIds : args.recordId ? [args.recordId] : [],
  });
  if (!ids.success)
    return failure(
      'InvalidArguments',
      `Provide "recordIds" (1 to ${config.maxRecords} record IDs): ${z.prettifyError(ids.error)}`,
    );
  const describe = await ctx.describes.get(ctx.client, config.object);
  if (!describe) return failure('PermissionDenied', `You do not have access to ${config.object} records.`);
  const visible = new Map(describe.fields.map((field) => [field.name.toLowerCase(), field]));
  const fields = config.fields.filter((name) => visible.has(name.toLowerCase()));
  const omitted = config.fields.filter((name) => !visible.has(name.toLowerCase()));
  const list = ids.data.recordIds.map((id) => `'${id}'`).join(', ');
  const selected = ['Id', ...fields.filter((name) => name.toLowerCase() !== 'id')].join(', ');
  const { records } = await ctx.client.query(`SELECT ${selected} FROM ${describe.name} WHERE Id IN (${list})`, {
    maxRecords: config.maxRecords,
  });
  const found = new Set(records.map((record) => String(record.Id).slice(0, 15)));
  const notFound = ids.data.recordIds.filter((id) => !found.has(id.slice(0, 15)));
  return {
    ok: true,
    result: {
      records: records.map(stripAttributes),
      ...(omitted.length
        ? { omittedFields: omitted, note: 'Omitted because the requesting user cannot read these fields.' }
        : {}),
      ...(notFound.length
        ? { notFound, notFoundNote: 'These records do not exist or are not shared with the requesting user.' }
        : {}),
    },
    classifications: classificationsOf(describe),
  };
}

async function soqlQuery(tool: ToolDefinition, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome> {
  const config = BACKEND_SCHEMAS.SoqlQuery.parse(tool.backendConfiguration);
  if (typeof args.query !== 'string' || args.query.trim() === '')
    return failure('InvalidArguments', 'Provide "query": one SOQL SELECT statement.');
  const index = await ctx.describes.index(ctx.client, config.objects);
  const verdict = checkSoql(args.query, index, { rowCap: config.rowCap });
  if (!verdict.allowed || !verdict.query) {
    return {
      ok: false,
      errorCategory: 'SoqlGuardRefused',
      result: { error: 'The query was refused by the SOQL guard.', violations: verdict.violations },
    };
  }
  const { totalSize, records } = await ctx.client.query(verdict.query, { maxRecords: config.rowCap });
  return {
    ok: true,
    result: { totalSize, records: records.map(stripAttributes), query: verdict.query },
    classifications: resultClassifications(verdict, index),
  };
}

async function writeRecord(
  operation: 'create' | 'update',
  tool: ToolDefinition,
  args: Record<string, unknown>,
  ctx: ToolContext,
): Promise<ToolOutcome> {
  const config = ObjectConfig.parse(tool.backendConfiguration);
  const describe = await ctx.describes.get(ctx.client, config.object);
  if (!describe || !permits(describe, operation === 'create' ? 'create' : 'update')) {
    return failure('PermissionDenied', `You do not have permission to ${operation} ${config.object} records.`);
  }
  const input = args.fields;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return failure('InvalidArguments', 'Provide "fields": an object of field API names to values.');
  const coerced = coerceFields(input as Record<string, unknown>, describe, operation);
  if (coerced.errors.length > 0) {
    // Every refused field is named; nothing is written when any field is refused.
    return {
      ok: false,
      errorCategory: 'FieldRefused',
      result: { error: 'Nothing was saved.', fieldErrors: coerced.errors },
    };
  }
  if (operation === 'create') {
    const created = await ctx.client.create(describe.name, coerced.values);
    return { ok: true, result: { id: created.id, object: describe.name, savedFields: Object.keys(coerced.values) } };
  }
  const recordId = RecordId.safeParse(args.recordId);
  if (!recordId.success)
    return failure('InvalidArguments', 'Provide "recordId": the 15- or 18-character ID of the record to update.');
  try {
    await ctx.client.update(describe.name, recordId.data, coerced.values);
  } catch (error) {
    // Salesforce answers 404 NOT_FOUND for an ID that names no record of this object (made up, mangled, or another
    // object's): tell the model to look the record up rather than retry the same ID.
    if (error instanceof SalesforceError && error.errorCode === 'NOT_FOUND') {
      return failure(
        'NotFound',
        `No ${describe.name} record has the ID "${recordId.data}". Look the record up first and use the Id it returns.`,
      );
    }
    throw error;
  }
  return { ok: true, result: { id: recordId.data, object: describe.name, savedFields: Object.keys(coerced.values) } };
}

function failure(category: string, message: string): ToolOutcome {
  return { ok: false, errorCategory: category, result: { error: message } };
}

function stripAttributes(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value)
        ? stripAttributes(value as Record<string, unknown>)
        : value;
  }
  return out;
}

/**
 * Classifications keyed by where each field lands in a result record (`Applicant__r.Email__c`, child rows under
 * `Contacts.Email`), so a sensitive parent or child field is masked like a top-level one. A polymorphic path joins the
 * classifications of every object it may come from: sensitive if any of them is.
 */
function resultClassifications(verdict: SoqlVerdict, index: DescribeIndex): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const { path, sources } of verdict.resultFields) {
    const parts = sources.map((source) => {
      const dot = source.indexOf('.');
      const field = index.field(source.slice(0, dot), source.slice(dot + 1)) as
        { securityClassification?: unknown } | undefined;
      return typeof field?.securityClassification === 'string' ? field.securityClassification : '';
    });
    const joined = parts.filter((part) => part !== '').join(';');
    out[path] = joined === '' ? null : joined;
  }
  return out;
}

function classificationsOf(describe: DescribeSObject | undefined | null): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const field of describe?.fields ?? []) {
    const classification = (field as { securityClassification?: unknown }).securityClassification;
    out[field.name] = typeof classification === 'string' ? classification : null;
  }
  return out;
}
