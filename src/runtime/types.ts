/**
 * Types shared by the governed loop and its steps (tool calls, the model-input gate): one floor below them, so the
 * modules that use them never import each other for a type.
 */
import type { LlmProvider } from '../llm/types.ts';
import type { StoredMessage } from './history.ts';
import type { HitlGate, StepRecorder, ToolDefinition, ToolExecutor, ToolGate, TurnTrust } from './ports.ts';

/** Which tools ran this turn and whether they succeeded (the tool graph's input). */
export type ToolHistory = Array<{ tool: string; ok: boolean }>;

export type SafetyMode = 'LogOnly' | 'Sanitize' | 'Block';

export interface LoopInput {
  systemPrompt: string;
  /** Earlier conversation as the audit steps hold it (masked); admitted through the gate like new text. */
  history: StoredMessage[];
  /** This turn's raw user text; null when the turn resumes after a human decision. */
  userMessage: string | null;
  model: string;
  prices: { promptPer1M: number; completionPer1M: number };
  maxSteps: number;
  tokenBudget: number;
  safetyMode: SafetyMode;
  toolReasoning: boolean;
  tools: ToolDefinition[];
  toolHistory?: ToolHistory;
}

export interface LoopDeps {
  provider: LlmProvider;
  executor: ToolExecutor;
  trust: TurnTrust;
  gate: HitlGate;
  graph: ToolGate | null;
  recorder: StepRecorder;
  validateArgs: (tool: ToolDefinition, args: Record<string, unknown>) => string[];
  signal: AbortSignal;
  /** True when a newer turn exists for this execution: stop without writing over newer state. */
  isStale: () => boolean | Promise<boolean>;
}
