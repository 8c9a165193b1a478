/**
 * `/services/data/vXX.X/actions/...`: the invocable-actions REST resource.
 *   GET  /actions                                  {standard, custom} resource URLs
 *   GET  /actions/standard                         the standard actions the emulator implements
 *   GET|POST /actions/standard/emailSimple         describe | send (recorded in the outbox)
 *   GET|POST /actions/standard/customNotificationAction   describe | send (recorded in the notification list)
 *   GET  /actions/custom                           {flow, apex} resource URLs
 *   GET  /actions/custom/{flow|apex}               the seed's actions of that type
 *   GET|POST /actions/custom/{flow|apex}/{Name}    describe | invoke as the caller
 *   GET|POST /actions/custom/apex/{PackageClass}   the package's own invocables (src/emulator/apex), same shape
 * POST bodies are `{"inputs":[{...}, ...]}`; the answer is 200 with one result per input:
 * `[{"actionName","errors":null|[{statusCode,message,fields}],"isSuccess","outputValues","version"}]`.
 */
import { z } from 'zod';
import { ApiError } from '../org/model.ts';
import { json, methodNotAllowed, type RouteResult } from '../http/respond.ts';
import { dataPath, requireObject, type RestContext, type RestRequest } from '../http/rest/context.ts';
import type { ActionDecl } from './declarations.ts';
import {
  CUSTOM_NOTIFICATION_ACTION,
  describeCustomNotification,
  sendCustomNotification,
} from './custom-notification.ts';
import { actionsFor } from './registry.ts';
import { apexContext } from '../apex/apex-runtime.ts';
import { describePackageAction, invokePackageAction } from '../apex/invoke.ts';
import { PACKAGE_INVOCABLES, packageInvocable } from '../apex/invocables.ts';
import { invocationResult, runAction, type InvocationResult } from './run-action.ts';

/** Salesforce accepts up to 200 inputs in one invocable-action request (bulkified flows and Apex). */
export const MAX_INPUTS = 200;
/** The emulator's per-email recipient cap (Apex SingleEmailMessage allows 100 To addresses). */
export const MAX_EMAIL_RECIPIENTS = 100;

const TYPE_LABEL = { flow: 'FLOW', apex: 'APEX' } as const;

export function actionsRoute(req: RestRequest, ctx: RestContext, rest: string[]): RouteResult {
  const url = (path: string): string => dataPath(ctx.apiVersion, `/actions${path}`);
  const get = (fn: () => RouteResult): RouteResult =>
    req.method === 'GET' ? fn() : methodNotAllowed(req.method, ['GET', 'HEAD']);
  const getOrPost = (describe: () => unknown, invoke: () => InvocationResult[]): RouteResult => {
    if (req.method === 'GET') return json(200, describe());
    if (req.method === 'POST') return json(200, invoke());
    return methodNotAllowed(req.method, ['GET', 'HEAD', 'POST']);
  };
  const [scope, kind, name, ...extra] = rest;
  if (extra.length > 0) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');

  if (scope === undefined) return get(() => json(200, { standard: url('/standard'), custom: url('/custom') }));
  if (scope === 'standard') {
    if (kind === undefined) {
      return get(() =>
        json(200, {
          actions: [
            { label: 'Send Email', name: 'emailSimple', type: 'EMAILSIMPLE', url: url('/standard/emailSimple') },
            {
              label: 'Send Custom Notification',
              name: CUSTOM_NOTIFICATION_ACTION,
              type: 'CUSTOMNOTIFICATIONACTION',
              url: url(`/standard/${CUSTOM_NOTIFICATION_ACTION}`),
            },
          ],
        }),
      );
    }
    if (kind.toLowerCase() === 'emailsimple' && name === undefined)
      return getOrPost(describeEmail, () => inputsOf(req.body).map((input) => sendEmail(input, ctx)));
    if (kind.toLowerCase() === CUSTOM_NOTIFICATION_ACTION.toLowerCase() && name === undefined) {
      return getOrPost(describeCustomNotification, () =>
        inputsOf(req.body).map((input) => sendCustomNotification(input, ctx)),
      );
    }
  }
  if (scope === 'custom') {
    if (kind === undefined) return get(() => json(200, { flow: url('/custom/flow'), apex: url('/custom/apex') }));
    if (kind === 'apex' && name !== undefined && packageInvocable(name)) return packageActionRoute(req, ctx, name);
    if (kind === 'flow' || kind === 'apex') {
      const actions = actionsFor(ctx.org);
      if (name === undefined) {
        const packaged = kind === 'apex' ? PACKAGE_INVOCABLES.map(packagedListing) : [];
        return get(() =>
          json(200, {
            actions: [...packaged, ...actions.list(kind)].map((action) => ({
              label: action.label ?? action.name,
              name: action.name,
              type: TYPE_LABEL[kind],
              url: url(`/custom/${kind}/${action.name}`),
            })),
          }),
        );
      }
      const action = actions.find(kind, name);
      if (!action)
        throw new ApiError(404, 'NOT_FOUND', `No ${kind === 'flow' ? 'flow' : 'Apex action'} named ${name} found`);
      if (!mayRun(action, ctx)) {
        const what = kind === 'flow' ? `run the flow ${action.name}` : `access the Apex class named ${action.name}`;
        throw new ApiError(403, 'INSUFFICIENT_ACCESS', `You do not have permission to ${what}`);
      }
      return getOrPost(
        () => describeAction(action),
        () =>
          inputsOf(req.body).map((input) =>
            runAction(action, input, { org: ctx.org, access: ctx.access, apiVersion: ctx.apiVersion }),
          ),
      );
    }
  }
  throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

const packagedListing = (spec: { className: string; label: string }) => ({ name: spec.className, label: spec.label });

/**
 * The package's own invocables (src/emulator/apex): the caller needs access to the class, like any Apex action, and
 * the class then runs as the caller.
 */
function packageActionRoute(req: RestRequest, ctx: RestContext, name: string): RouteResult {
  const spec = packageInvocable(name);
  if (!spec) throw new ApiError(404, 'NOT_FOUND', `No Apex action named ${name} found`);
  if (ctx.org.canInvokeApexClass?.(ctx.userId, spec.className) !== true)
    throw new ApiError(
      403,
      'INSUFFICIENT_ACCESS',
      `You do not have permission to access the Apex class named ${spec.className}`,
    );
  if (req.method === 'GET') return json(200, describePackageAction(spec));
  if (req.method !== 'POST') return methodNotAllowed(req.method, ['GET', 'HEAD', 'POST']);
  const apex = apexContext(ctx.org, ctx.userId, ctx.apiVersion, ctx.now);
  return json(200, invokePackageAction(spec, apex, inputsOf(req.body)));
}

/** Access to the class or flow comes from the profile or a permission set, like Apex class access. */
function mayRun(action: ActionDecl, ctx: RestContext): boolean {
  if (!action.access) return true;
  const profile = ctx.access.user.profile.toLowerCase();
  return (
    action.access.profiles.some((name) => name.toLowerCase() === profile) ||
    action.access.permissionSets.some((name) => ctx.access.hasPermissionSet(name))
  );
}

/** `{"inputs":[{...}]}`: anything else is a 400 before any input runs. */
function inputsOf(body: unknown): Array<Record<string, unknown>> {
  const inputs = requireObject(body, 'ActionInvocationRequest').inputs;
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new ApiError(
      400,
      'INVALID_INPUT',
      'The request body must contain "inputs": a non-empty array of input objects',
    );
  if (inputs.length > MAX_INPUTS)
    throw new ApiError(
      400,
      'LIMIT_EXCEEDED',
      `At most ${MAX_INPUTS} inputs are allowed in one request, got ${inputs.length}`,
    );
  inputs.forEach((input, index) => {
    if (input === null || typeof input !== 'object' || Array.isArray(input))
      throw new ApiError(400, 'INVALID_INPUT', `inputs[${index}] must be an object`);
  });
  return inputs as Array<Record<string, unknown>>;
}

function describeAction(action: ActionDecl): Record<string, unknown> {
  return {
    name: action.name,
    label: action.label ?? action.name,
    description: action.description,
    type: TYPE_LABEL[action.type],
    inputs: action.inputs.map((input) => ({
      name: input.name,
      label: input.label ?? input.name,
      description: input.description ?? null,
      type: input.type.toUpperCase(),
      required: input.required,
    })),
    outputs: Object.keys(action.outputs).map((output) => ({ name: output, label: output, type: 'STRING' })),
  };
}

function describeEmail(): Record<string, unknown> {
  const input = (name: string, required: boolean, type = 'STRING') => ({ name, label: name, type, required });
  return {
    name: 'emailSimple',
    label: 'Send Email',
    description: 'Send an email where you specify the subject, body, and recipients.',
    type: 'EMAILSIMPLE',
    inputs: [
      input('emailAddresses', false),
      input('emailAddressesArray', false, 'STRING_COLLECTION'),
      input('emailSubject', true),
      input('emailBody', true),
      input('senderType', false),
    ],
    outputs: [],
  };
}

const EmailInput = z.strictObject({
  emailAddresses: z.string().optional(),
  emailAddressesArray: z.array(z.string()).optional(),
  emailSubject: z.string().min(1, 'emailSubject is required').max(3000),
  emailBody: z.string().min(1, 'emailBody is required').max(131_072),
  senderType: z.enum(['CurrentUser', 'DefaultWorkflowUser', 'OrgWideEmailAddress']).optional(),
});

/** emailSimple as the calling user: recipients validated, then recorded in the outbox instead of being delivered. */
function sendEmail(input: Record<string, unknown>, ctx: RestContext): InvocationResult {
  const fail = (statusCode: string, message: string, fields: string[] = []): InvocationResult =>
    invocationResult('emailSimple', { errors: [{ statusCode, message, fields }] });
  const parsed = EmailInput.safeParse(input);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? '')))].filter(Boolean);
    return fail('INVALID_INPUT', z.prettifyError(parsed.error), fields);
  }
  const fromList = (parsed.data.emailAddresses ?? '')
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);
  const to = [...new Set([...fromList, ...(parsed.data.emailAddressesArray ?? []).map((address) => address.trim())])];
  if (to.length === 0)
    return fail('REQUIRED_FIELD_MISSING', 'Missing required input parameter: emailAddresses', ['emailAddresses']);
  if (to.length > MAX_EMAIL_RECIPIENTS)
    return fail('LIMIT_EXCEEDED', `An email can have at most ${MAX_EMAIL_RECIPIENTS} recipients`, ['emailAddresses']);
  const invalid = to.filter((address) => !z.email().safeParse(address).success);
  if (invalid.length > 0)
    return fail('INVALID_EMAIL_ADDRESS', `Email address is invalid: ${invalid.join(', ')}`, ['emailAddresses']);
  const user = ctx.access.user;
  actionsFor(ctx.org).send({
    sentAt: new Date(ctx.now()).toISOString(),
    fromUserId: user.id,
    fromUsername: user.username,
    to,
    subject: parsed.data.emailSubject,
    body: parsed.data.emailBody,
  });
  return invocationResult('emailSimple', { outputs: {} });
}
