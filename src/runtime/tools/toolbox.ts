import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { buildSchemaPrompt } from '../../governance/soql-guard/index.ts';
import { canonicalJson } from '../../schemas/canonical-json.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { Capability } from '../agent-registry.ts';
import type { ToolDefinition, ToolExecutor, ToolOutcome } from '../ports.ts';
import { CalloutGuard } from './callout-guard.ts';
import type { DescribeCache } from './describe-cache.ts';
import { runCallout } from './http-callout.ts';
import { invokeAction } from './invocable-action.ts';
import { permits, requiredAccess, runStandardAction } from './standard-tools.ts';
import type { ToolSettings } from './tool-settings.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }));
const validators = new Map<string, ValidateFunction | Error>();

/** Standard actions that change data or reach outside: never run twice for one tool call. */
const SIDE_EFFECT_ACTIONS = new Set(['CreateRecord', 'UpdateRecord', 'SendEmail', 'PostChatter']);

export function toToolDefinition(capability: Capability): ToolDefinition {
  const implementationType = capability.ImplementationType__c;
  const detail =
    implementationType === 'Standard' ? capability.StandardActionType__c : capability.ImplementationDetail__c;
  return {
    name: capability.CapabilityName__c,
    description: capability.Description__c,
    parameters: capability.parameters,
    capabilityId: capability.Id,
    hitlMode: capability.HITLMode__c,
    implementationType,
    implementationDetail: detail,
    backendConfiguration: capability.backend,
    sideEffects: implementationType !== 'Standard' || SIDE_EFFECT_ACTIONS.has(detail),
  };
}

/**
 * The tools this user may be offered: active, externally exposed capabilities whose objects the user can read, create
 * or edit according to their own describe (a create-Case tool is hidden from a user who cannot create Cases).
 */
export async function toolsForUser(
  capabilities: Capability[],
  client: SalesforceClient,
  describes: DescribeCache,
): Promise<{ tools: ToolDefinition[]; hidden: Array<{ name: string; reason: string }> }> {
  const tools: ToolDefinition[] = [];
  const hidden: Array<{ name: string; reason: string }> = [];
  for (const capability of capabilities) {
    const tool = toToolDefinition(capability);
    if (!capability.IsActive__c || capability.ExposureLevel__c !== 'External') continue;
    const needs = tool.implementationType === 'Standard' ? requiredAccess(tool) : [];
    let allowed = true;
    for (const need of needs) {
      if (!permits(await describes.get(client, need.object), need.need)) {
        hidden.push({ name: tool.name, reason: `no ${need.need} access to ${need.object}` });
        allowed = false;
        break;
      }
    }
    if (!allowed) continue;
    // Text-to-SOQL: the model sees the schema from the same allow-list the guard enforces, so it is told the truth.
    if (tool.implementationType === 'Standard' && tool.implementationDetail === 'SoqlQuery') {
      const objects = needs.map((need) => need.object);
      const schema = buildSchemaPrompt(await describes.index(client, objects), objects);
      tools.push({ ...tool, description: `${tool.description}\n\n${schema}` });
    } else {
      tools.push(tool);
    }
  }
  return { tools, hidden };
}

/** JSON Schema validation of the model's arguments against the capability's `Parameters__c`. */
export function validateArguments(tool: ToolDefinition, args: Record<string, unknown>): string[] {
  // Keyed by a hash of the schema's content: any edit (even one that keeps its length) compiles a new validator.
  const key = createHash('sha256').update(canonicalJson(tool.parameters)).digest('base64url');
  let validate = validators.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(tool.parameters);
    } catch (error) {
      validate = error as Error;
    }
    validators.set(key, validate);
  }
  // A schema that does not compile refuses every call (fail closed) and says why.
  if (validate instanceof Error) return [`the tool's parameter schema is invalid: ${validate.message}`];
  if (validate(args)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '(arguments)'} ${error.message ?? 'is invalid'}`,
  );
}

/** Runs a tool as the requesting user (or, when the agent opts in, the configured service identity). */
export class UserToolExecutor implements ToolExecutor {
  private readonly guard: CalloutGuard;

  constructor(
    private readonly client: SalesforceClient,
    private readonly describes: DescribeCache,
    private readonly executionIdentity?: string,
    private readonly settings: ToolSettings = {},
  ) {
    this.guard = new CalloutGuard(settings.calloutAllowlist ?? []);
  }

  async execute(
    tool: ToolDefinition,
    args: Record<string, unknown>,
    context?: Partial<Parameters<ToolExecutor['execute']>[2]>,
  ): Promise<ToolOutcome> {
    const outcome = await this.dispatch(tool, args, context?.signal);
    return this.executionIdentity ? { ...outcome, executionIdentity: this.executionIdentity } : outcome;
  }

  private async dispatch(
    tool: ToolDefinition,
    args: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<ToolOutcome> {
    switch (tool.implementationType) {
      case 'Standard':
        return runStandardAction(tool.implementationDetail, tool, args, {
          client: this.client,
          describes: this.describes,
        });
      case 'Flow':
      case 'Apex':
        return invokeAction(this.client, tool, args);
      case 'HttpCallout':
        return runCallout(tool, args, {
          guard: this.guard,
          env: this.settings.env ?? {},
          ...(signal ? { signal } : {}),
        });
      default:
        return {
          ok: false,
          errorCategory: 'Configuration',
          result: { error: `The tool "${tool.name}" has an unknown implementation type "${tool.implementationType}".` },
        };
    }
  }
}
