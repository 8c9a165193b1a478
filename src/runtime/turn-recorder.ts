import { createHash } from 'node:crypto';
import type { SObjectWrite } from '../schemas/records.ts';
import type { AgentDecisionStep, ExecutionStep } from '../schemas/sobjects.ts';
import type { DecisionLine, StepInput, StepRecorder } from './ports.ts';

/** An `ExecutionStep__c` row as the recorder writes it: typed from force-app, so a field drift fails `tsc`. */
export type StepRecord = SObjectWrite<typeof ExecutionStep>;
/** An `AgentDecisionStep__c` row as the recorder writes it. */
export type DecisionRecord = SObjectWrite<typeof AgentDecisionStep>;

/** Long text fields in the package hold 131,072 characters; longer content is cut with a visible marker. */
const MAX_TEXT = 131_072;

/**
 * Collects one turn's audit rows in order and turns them into `ExecutionStep__c` / `AgentDecisionStep__c` records
 * whose external IDs are deterministic (execution, turn, sequence): a retried or resumed job upserts the same rows.
 */
export class TurnRecorder implements StepRecorder {
  private readonly steps: Array<StepInput & { sequence: number; at: string }> = [];
  private readonly decisions: Array<DecisionLine & { sequence: number }> = [];
  private flushedSteps = 0;
  private flushedDecisions = 0;
  /** The hashed turn part of every key, computed once (a UUID turn ID is hashed; the profile showed it per step). */
  private turnPart: string | undefined;

  constructor(
    readonly executionId: string,
    readonly turnId: string,
    /** First sequence number: a resumed turn continues after the rows it already wrote. */
    private readonly firstSequence = 1,
    private readonly now: () => Date = () => new Date(),
  ) {}

  record(step: StepInput): void {
    this.steps.push({ ...step, sequence: this.firstSequence + this.steps.length, at: this.now().toISOString() });
  }

  decision(line: DecisionLine): void {
    this.decisions.push({ ...line, sequence: this.firstSequence + this.decisions.length });
  }

  get nextSequence(): number {
    return this.firstSequence + this.steps.length;
  }

  all(): ReadonlyArray<StepInput & { sequence: number }> {
    return this.steps;
  }

  /** Rows not yet handed to the audit writer (each row is returned once). */
  takePending(): { steps: StepRecord[]; decisions: DecisionRecord[] } {
    const steps = this.steps.slice(this.flushedSteps).map((step) => this.stepRecord(step));
    const decisions = this.decisions.slice(this.flushedDecisions).map((line) => this.decisionRecord(line));
    this.flushedSteps = this.steps.length;
    this.flushedDecisions = this.decisions.length;
    return { steps, decisions };
  }

  stepKey(sequence: number): string {
    return `${this.executionId}-${this.keyPart()}-${String(sequence).padStart(4, '0')}`;
  }

  private keyPart(): string {
    this.turnPart ??= turnKey(this.turnId);
    return this.turnPart;
  }

  private stepRecord(step: StepInput & { sequence: number; at: string }): StepRecord {
    const content = step.safetyCategories?.length
      ? `${step.content ?? ''} [categories: ${step.safetyCategories.join(', ')}]`
      : step.content;
    const record: StepRecord = {
      StepKey__c: this.stepKey(step.sequence),
      AgentExecution__c: this.executionId,
      TurnIdentifier__c: this.turnId,
      Sequence__c: step.sequence,
      Timestamp__c: step.at,
      StepType__c: step.type,
      StepRole__c: step.role,
      Content__c: clip(content),
      ToolName__c: step.toolName,
      ToolCallId__c: step.toolCallId,
      ToolArguments__c: clip(step.toolArguments),
      ToolResult__c: clip(step.toolResult),
      ToolRationale__c: clip(step.rationale),
      PromptTokens__c: step.promptTokens,
      CompletionTokens__c: step.completionTokens,
      TotalTokens__c: step.totalTokens,
      EstimatedCostUSD__c: step.costUsd === undefined ? undefined : Number(step.costUsd.toFixed(6)),
      DurationMs__c: step.durationMs,
      ModelIdentifier__c: step.model,
      IsError__c: step.isError ?? false,
      ErrorCategory__c: step.errorCategory,
      SafetyScore__c: step.safetyScore === undefined ? undefined : Number(step.safetyScore.toFixed(3)),
      SafetyVerdict__c: step.type === 'SafetyCheck' ? verdictOf(step) : undefined,
      ExecutionIdentity__c: step.executionIdentity,
    };
    return compact(record);
  }

  private decisionRecord(line: DecisionLine & { sequence: number }): DecisionRecord {
    const record: DecisionRecord = {
      DecisionKey__c: `${this.executionId}-${this.keyPart()}-d${String(line.sequence).padStart(4, '0')}`,
      AgentExecution__c: this.executionId,
      TurnIdentifier__c: this.turnId,
      Sequence__c: line.sequence,
      Title__c: line.title.slice(0, 255),
      Summary__c: clip(line.detail),
      ToolName__c: line.toolName,
      ToolRationale__c: clip(line.rationale),
      DecisionType__c: line.toolName
        ? line.outcome === 'Pending'
          ? 'Approval'
          : 'ToolCall'
        : line.outcome === 'Success'
          ? 'TextResponse'
          : 'Error',
      IsSuccess__c: line.outcome === 'Success',
    };
    return compact(record);
  }
}

/** Turn identifiers are free text up to 255 characters; keep keys short and free of separators. */
function turnKey(turnId: string): string {
  return /^[A-Za-z0-9_.]{1,64}$/.test(turnId) ? turnId : createHash('sha256').update(turnId).digest('hex').slice(0, 32);
}

function verdictOf(step: StepInput): 'Blocked' | 'Sanitized' | 'Flagged' {
  if (step.errorCategory === 'SafetyBlocked' || /: block\.?$/.test(step.content ?? '')) return 'Blocked';
  if (/: sanitized\.?$/.test(step.content ?? '')) return 'Sanitized';
  return 'Flagged';
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= MAX_TEXT
    ? text
    : `${text.slice(0, MAX_TEXT - 40)}… [truncated ${text.length - MAX_TEXT + 40} chars]`;
}

/** Leaves out unset fields (an upsert then keeps what the row holds); typed rows stay typed. */
function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
