/**
 * The narrow interfaces the governed loop calls. Each trust layer, the HITL gate, the tool implementations and the
 * audit recorder sits behind one of these, so each can be built and tested alone.
 */

export type StepType =
  | 'UserInput'
  | 'LLMRequest'
  | 'LLMResponse'
  | 'ToolCall'
  | 'ToolResult'
  | 'AgentResponse'
  | 'SafetyCheck'
  | 'Masking'
  | 'Approval'
  | 'Error';

export type StepRole = 'User' | 'Assistant' | 'Tool' | 'System';

/** One audit row before it becomes an `ExecutionStep__c`. Text fields hold what the model saw (masked). */
export interface StepInput {
  type: StepType;
  role: StepRole;
  content?: string;
  toolName?: string;
  toolCallId?: string;
  toolArguments?: string;
  toolResult?: string;
  rationale?: string;
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  costUsd?: number;
  durationMs?: number;
  model?: string;
  isError?: boolean;
  errorCategory?: string;
  safetyScore?: number;
  safetyCategories?: string[];
  /** Set when a step ran under a configured service identity instead of the requesting user. */
  executionIdentity?: string;
}

/** The user-facing storyboard line for one decision (`AgentDecisionStep__c`). */
export interface DecisionLine {
  title: string;
  detail?: string;
  toolName?: string;
  rationale?: string;
  outcome: 'Success' | 'Failure' | 'Pending' | 'Blocked';
}

export interface StepRecorder {
  record(step: StepInput): void;
  decision(line: DecisionLine): void;
}

export interface ScreenResult {
  action: 'allow' | 'sanitized' | 'block';
  text: string;
  score: number;
  flagged: boolean;
  categories: string[];
}

/** Masking and screening for one conversation. Implementations fail closed: they throw rather than pass raw data. */
export interface TurnTrust {
  screen(text: string, source: 'user' | 'tool'): ScreenResult;
  /** `alreadyMasked`: the text is this conversation's masked text (history, runtime messages); its tokens stay as they are. */
  mask(text: string, options?: { alreadyMasked?: boolean }): Promise<{ masked: string; entityCount: number }>;
  /** Masks strings deep inside a JSON value; field classifications drive schema-based masking when known. */
  maskValue(
    value: unknown,
    classifications?: Record<string, string | null>,
    options?: { alreadyMasked?: boolean },
  ): Promise<unknown>;
  restore(text: string): Promise<string>;
  restoreValue(value: unknown): Promise<unknown>;
  /** Marks untrusted tool output as data before the model sees it. */
  wrapUntrusted(toolName: string, content: string): string;
}

export type HitlMode = '' | 'Confirmation' | 'Approval' | 'ConfirmationThenApproval' | 'ConditionalApproval';

/** A capability as the model may use it this turn. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  capabilityId: string;
  hitlMode: HitlMode;
  /** Standard action, Flow, Apex or HttpCallout: which implementation runs it. */
  implementationType: string;
  implementationDetail: string;
  backendConfiguration: Record<string, unknown>;
  sideEffects: boolean;
}

export interface ToolOutcome {
  ok: boolean;
  /** JSON-serialisable result returned to the model (after masking and screening). */
  result: unknown;
  /** Salesforce field → data classification for schema-based masking of `result`. */
  classifications?: Record<string, string | null>;
  errorCategory?: string;
  executionIdentity?: string;
}

export interface ToolExecutor {
  execute(
    tool: ToolDefinition,
    args: Record<string, unknown>,
    context: { toolCallId: string; signal: AbortSignal },
  ): Promise<ToolOutcome>;
}

export type GateDecision =
  | { decision: 'execute'; args: Record<string, unknown> }
  | { decision: 'hold'; pendingActionId: string; message: string; type: string };

/** The runtime-enforced human-in-the-loop gate. The model can ask for approval but never lower the policy. */
export interface HitlGate {
  review(request: {
    tool: ToolDefinition;
    toolCallId: string;
    args: Record<string, unknown>;
    modelRequestedApproval: boolean;
    approvalReason?: string;
  }): Promise<GateDecision>;
  /** Pending-action records to upsert by `ActionKey__c` in the turn's atomic audit write; each is returned once. */
  takeWrites?(): Array<Record<string, unknown> & { ActionKey__c: string }>;
  /** Runs once the audit write landed (approver notifications, shares); never throws. */
  afterWrite?(): Promise<void>;
}

/** Which tools the flow graph allows now, given what already ran. */
export interface ToolGate {
  available(history: Array<{ tool: string; ok: boolean }>): string[];
  check(tool: string, history: Array<{ tool: string; ok: boolean }>): { allowed: boolean; reason?: string };
}
