/**
 * `POST /aura`: what a Lightning web component's `import method from '@salesforce/apex/Class.method'` sends, for the
 * package's chat and approval-inbox controllers (src/emulator/apex). The body is a form with `message`, a JSON list of actions; an Apex call is
 * the action `aura://ApexActionController/ACTION$execute` with `params: {namespace, classname, method, params,
 * cacheable}`, and its answer is `{id, state: 'SUCCESS', returnValue: {returnValue, cacheable}}` or `{id, state:
 * 'ERROR', error: [{message, exceptionType}]}` (the component sees `error.body.message`). Simplified: the session is the
 * `sid` cookie or a bearer token (no `aura.token` CSRF check), the answer is plain JSON without Aura's framing and
 * context, and only Apex actions are served. Calls from the Lightning UI do not count against the API allocation.
 * A user needs access to the class (profile or permission set), as for any `@AuraEnabled` method since Spring '21
 * ("Restrict access to @AuraEnabled Apex methods for authenticated users based on user profile").
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { apexContext } from '../apex/apex-runtime.ts';
import { APPROVAL_INBOX_CONTROLLER } from '../apex/approval-inbox-controller.ts';
import { AuraHandledException, CHAT_CONTROLLER, type LightningController } from '../apex/chat-controller.ts';
import type { OrgApi } from '../org/model.ts';
import { errorResult, json, type RouteResult } from './respond.ts';

const CONTROLLERS: Record<string, LightningController> = Object.fromEntries(
  [CHAT_CONTROLLER, APPROVAL_INBOX_CONTROLLER].map((controller) => [controller.className, controller]),
);
const APEX_ACTION = 'aura://ApexActionController/ACTION$execute';

const AuraMessage = z.object({
  actions: z
    .array(
      z.object({
        id: z.string(),
        descriptor: z.string(),
        params: z
          .object({
            namespace: z.string().nullish(),
            classname: z.string(),
            method: z.string(),
            params: z.record(z.string(), z.unknown()).default({}),
          })
          .passthrough(),
      }),
    )
    .min(1),
});

export interface AuraDeps {
  org: OrgApi;
  /** The session's user, or undefined when the session is not valid. */
  userOf(sessionId: string): string | undefined;
  now(): number;
  /** The API version the emulated Apex runs its queries at (the org's default). */
  apiVersion: string;
}

/** The session: Lightning's `sid` cookie, or a bearer token for scripts and tests. */
export function auraSession(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const cookie = req.headers.cookie ?? '';
  return /(?:^|;\s*)sid=([^;]+)/.exec(cookie)?.[1];
}

export function auraRoute(sessionId: string | undefined, form: Record<string, string>, deps: AuraDeps): RouteResult {
  const userId = sessionId ? deps.userOf(sessionId) : undefined;
  if (!userId) return errorResult(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  let message: z.infer<typeof AuraMessage>;
  try {
    message = AuraMessage.parse(JSON.parse(form['message'] ?? ''));
  } catch {
    return errorResult(400, 'INVALID_INPUT', 'The form field "message" must be an Aura action list');
  }
  return json(200, { actions: message.actions.map((action) => runAction(action, userId, deps)) });
}

function runAction(action: z.infer<typeof AuraMessage>['actions'][number], userId: string, deps: AuraDeps): unknown {
  const fail = (messageText: string, exceptionType: string) => ({
    id: action.id,
    state: 'ERROR',
    returnValue: null,
    error: [{ message: messageText, exceptionType, stackTrace: '' }],
  });
  if (action.descriptor !== APEX_ACTION) return fail(`Unknown action ${action.descriptor}`, 'AuraError');
  const { classname, method, params } = action.params;
  const controller = CONTROLLERS[classname];
  const run = controller?.methods[method];
  if (!controller || !run) return fail(`No @AuraEnabled method ${classname}.${method}`, 'AuraError');
  if (deps.org.canInvokeApexClass?.(userId, controller.className) !== true)
    return fail(`You do not have access to the Apex class named '${controller.className}'.`, 'NoAccessException');
  try {
    const ctx = apexContext(deps.org, userId, deps.apiVersion, deps.now);
    return { id: action.id, state: 'SUCCESS', returnValue: { returnValue: run.run(ctx, params), cacheable: false } };
  } catch (error) {
    if (error instanceof AuraHandledException) return fail(error.message, 'AuraHandledException');
    return fail('An internal server error has occurred', 'System.UnexpectedException');
  }
}
