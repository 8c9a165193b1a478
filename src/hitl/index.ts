import type { Logger } from '../logger.ts';
import type { JobHandler } from '../runtime/jobs.ts';
import type { HitlGate } from '../runtime/ports.ts';
import type { Prelude, TurnHandlerDeps, TurnResumer, TurnSetup } from '../runtime/turn-handler.ts';
import type { ApiMeter } from '../salesforce/api-meter.ts';
import { CustomPermissions } from '../salesforce/custom-permissions.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';
import { createDecisionHandler } from './decision-handler.ts';
import { createHitlGate, type HitlServices } from './gate.ts';
import { confirmationByMessage } from './message-confirmation.ts';
import { Notifier } from './notifier.ts';
import { ArgumentSigner } from './signature.ts';

export { classifyConfirmation } from './confirm-intent.ts';
export { evaluatePolicy } from './policy.ts';
export { ArgumentSigner, canonicalJson } from './signature.ts';
export { runSweep } from './sweeper.ts';
export { applyDecision, type DecisionRequest } from './resolve.ts';

export interface HitlOptions {
  /** LOOM_HITL_SIGNING_KEY: at least 32 characters; the same key on every worker (and across restarts). */
  signingKey: string;
  /** LOOM_HITL_DEFAULT_APPROVER: approver username when a capability's routing names none. */
  defaultApprover?: string;
  /** Clock (tests move it forward to expire actions). */
  now?: () => Date;
}

export interface HitlDeps {
  integration: SalesforceClient;
  clientFor: (username: string) => SalesforceClient;
  logger: Logger;
  meter: ApiMeter;
  /** Shared with the turn handler (one permission call per user per cache window); a private cache when absent. */
  permissions?: CustomPermissions;
}

export interface Hitl {
  /** For `TurnHandlerDeps.gateFor`. */
  gateFor: TurnHandlerDeps['gateFor'];
  /** For `TurnHandlerDeps.beforeLoop`: a pending confirmation answered by the next chat message. */
  beforeLoop: (setup: TurnSetup, message: string) => Promise<Prelude | null>;
  /** `decision` and `sweep` jobs; give it the turn handler (it continues waiting turns). */
  decisionHandler: (turns: TurnResumer) => JobHandler;
}

/** Human-in-the-loop for a worker: the gate for turns, the chat-confirmation hook and the decision/sweep handler. */
export function createHitl(deps: HitlDeps, options: HitlOptions): Hitl {
  const now = options.now ?? (() => new Date());
  const permissions = deps.permissions ?? new CustomPermissions();
  const services: HitlServices = {
    integration: deps.integration,
    signer: new ArgumentSigner(options.signingKey),
    notifier: new Notifier(deps.integration, deps.logger, now),
    logger: deps.logger,
    now,
    ...(options.defaultApprover ? { defaultApprover: options.defaultApprover } : {}),
  };
  return {
    gateFor: (turn): HitlGate => createHitlGate(services, turn),
    beforeLoop: confirmationByMessage(services),
    decisionHandler: (turns) =>
      createDecisionHandler({ ...services, clientFor: deps.clientFor, resumer: turns, meter: deps.meter, permissions }),
  };
}
