/**
 * The one way in for text that reaches a model. Every message the governed loop sends (the user's request, each tool
 * result, refusal and thrown tool error, a person's decision delivered as a held call's result, the replayed history)
 * is built here: screened for injection with the agent's safety mode, masked by the conversation's PII vault and, unless
 * it is the user's own request or the model's own words, delimited as untrusted data. `ModelText` (src/llm/types.ts) is
 * the only text a `ChatMessage` accepts and `seal` below is the only place that makes it, so text that skipped these
 * layers cannot reach a provider request: it does not compile (and `as ModelText` is refused by the lint config).
 */
import type { ChatMessage, ModelText } from '../llm/types.ts';
import type { SafetyMode } from './types.ts';
import type { StoredMessage } from './history.ts';
import type { ScreenResult, StepRecorder, TurnTrust } from './ports.ts';

/** The trust layers of one turn and where their findings are recorded. */
export interface Gate {
  trust: TurnTrust;
  recorder: StepRecorder;
  safetyMode: SafetyMode;
}

/** The agent's own system prompt: admin configuration, the one text trusted as instructions. */
/** The turn's trust layers as the gate takes them. */
export function gateOf(input: { safetyMode: SafetyMode }, deps: { trust: TurnTrust; recorder: StepRecorder }): Gate {
  return { trust: deps.trust, recorder: deps.recorder, safetyMode: input.safetyMode };
}

export type InstructionsText = { kind: 'instructions'; text: string };
/** The user's request for this turn: screened as user input and masked; it is the instruction channel, so not wrapped. */
export type UserText = { kind: 'user'; text: string };
/** The model's own answer in this turn (already in token form: the model only ever saw tokens). */
export type AssistantText = { kind: 'assistant'; text: string | null };
/**
 * Anything that answers a tool call: a result, a refusal, a thrown error, a person's decision on a held call. Each
 * string value (and key) is screened decoded, as the string it is, not as escaped JSON, then masked and wrapped.
 * `alreadyMasked`: the value was built from masked text (held-call notices, stored history); its tokens stay.
 * `byWorker`: the worker wrote it about the model's own call (a refusal naming the tool or the schema errors of the
 * model's arguments, a hold notice): screened and masked like the rest, but holding no outside text, it is not
 * delimited as untrusted data (hundreds of refusals would otherwise spend the token budget on wrappers).
 */
export type ToolText = {
  kind: 'tool';
  tool: string;
  toolCallId: string;
  value: unknown;
  classifications?: Record<string, string | null> | undefined;
  alreadyMasked?: boolean;
  byWorker?: boolean;
};
/** Earlier turns as the audit steps hold them: every message passes the same screening, masking and wrapping again. */
export type HistoryText = { kind: 'history'; messages: StoredMessage[] };

export type UserAdmission = {
  /** Null when the safety policy blocks the request. */
  text: ModelText | null;
  /** What the audit row holds: the masked (and, when sanitised, cleaned) request, even when it was blocked. */
  audit: string;
  entityCount: number;
  verdict: ScreenResult;
};
export type ToolAdmission = {
  content: ModelText;
  /** The unwrapped text for the ToolResult audit row (masked, screened): exactly what the model was given. */
  audit: string;
  withheld: boolean;
};

export const WITHHELD = {
  error: 'The tool result was withheld: it contained instructions aimed at the assistant.',
  category: 'IndirectInjection',
} as const;
const WITHHELD_MESSAGE = '[An earlier message was withheld here by the safety policy.]';

export function admit(input: InstructionsText): ModelText;
export function admit(input: AssistantText): ModelText | null;
export function admit(input: UserText, gate: Gate): Promise<UserAdmission>;
export function admit(input: ToolText, gate: Gate): Promise<ToolAdmission>;
export function admit(input: HistoryText, gate: Gate): Promise<ChatMessage[]>;
export function admit(
  input: InstructionsText | AssistantText | UserText | ToolText | HistoryText,
  gate?: Gate,
): ModelText | null | Promise<UserAdmission | ToolAdmission | ChatMessage[]> {
  switch (input.kind) {
    case 'instructions':
      return seal(input.text);
    case 'assistant':
      return input.text === null ? null : seal(input.text);
    case 'user':
      return admitUser(input.text, need(gate));
    case 'tool':
      return admitTool(input, need(gate), 'live');
    case 'history':
      return admitHistory(input.messages, need(gate));
  }
}

/** The only conversion to `ModelText`; module-private on purpose. */
function seal(text: string): ModelText {
  return text as ModelText;
}

function need(gate: Gate | undefined): Gate {
  if (!gate) throw new TypeError('model text needs the turn’s trust layers');
  return gate;
}

async function admitUser(text: string, gate: Gate): Promise<UserAdmission> {
  const verdict = gate.trust.screen(text, 'user');
  const masked = await gate.trust.mask(verdict.action === 'sanitized' ? verdict.text : text);
  return {
    text: verdict.action === 'block' ? null : seal(masked.masked),
    audit: masked.masked,
    entityCount: masked.entityCount,
    verdict,
  };
}

/** Screens every string of a JSON value in place of the value; one verdict for the whole. */
function screenStrings(value: unknown, trust: TurnTrust): { value: unknown; flagged: ScreenResult[] } {
  const flagged: ScreenResult[] = [];
  // Records repeat values (picklists, names): each distinct string is screened once.
  const seen = new Map<string, ScreenResult>();
  const screen = (text: string): string => {
    let verdict = seen.get(text);
    if (!verdict) {
      verdict = trust.screen(text, 'tool');
      seen.set(text, verdict);
      if (verdict.flagged) flagged.push(verdict);
    }
    return verdict.flagged && verdict.action === 'sanitized' ? verdict.text : text;
  };
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return screen(item);
    if (Array.isArray(item)) return item.map(walk);
    if (item !== null && typeof item === 'object')
      return Object.fromEntries(Object.entries(item).map(([key, inner]) => [screen(key), walk(inner)]));
    return item;
  };
  return { value: walk(value), flagged };
}

async function admitTool(input: ToolText, gate: Gate, when: 'live' | 'history'): Promise<ToolAdmission> {
  const { trust, recorder, safetyMode } = gate;
  const screened = screenStrings(input.value, trust);
  const action =
    safetyMode === 'LogOnly'
      ? 'allow'
      : screened.flagged.some((verdict) => verdict.action === 'block')
        ? 'block'
        : screened.flagged.some((verdict) => verdict.action === 'sanitized')
          ? 'sanitized'
          : 'allow';
  // Replay enforces the policy again but records nothing: the finding was recorded when the text first arrived, and a
  // second SafetyCheck row per later turn would count one injection many times in the safety reports.
  if (screened.flagged.length > 0 && when === 'live') {
    const categories = [...new Set(screened.flagged.flatMap((verdict) => verdict.categories))];
    recorder.record({
      type: 'SafetyCheck',
      role: 'System',
      toolName: input.tool,
      toolCallId: input.toolCallId,
      safetyScore: Math.max(...screened.flagged.map((verdict) => verdict.score)),
      safetyCategories: categories,
      content: `Tool result flagged (${categories.join(', ')}); mode ${safetyMode}: ${action}.`,
    });
  }
  const value =
    action === 'block'
      ? WITHHELD
      : await trust.maskValue(
          screened.value,
          input.classifications,
          input.alreadyMasked ? { alreadyMasked: true } : undefined,
        );
  const audit = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  return {
    content: seal(input.byWorker ? audit : trust.wrapUntrusted(input.tool, audit)),
    audit,
    withheld: action === 'block',
  };
}

/** Stored tool text is JSON when the worker wrote it; anything else (a clipped row) is screened as one string. */
function parseStored(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function admitHistory(messages: StoredMessage[], gate: Gate): Promise<ChatMessage[]> {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user': {
        const verdict = gate.trust.screen(message.content, 'user');
        // A request the policy refused (or that no longer passes it) is not replayed: the model sees that one was withheld.
        if (verdict.action === 'block') {
          out.push({ role: 'user', content: seal(WITHHELD_MESSAGE) });
          break;
        }
        const text = verdict.action === 'sanitized' ? verdict.text : message.content;
        out.push({ role: 'user', content: seal((await gate.trust.mask(text, { alreadyMasked: true })).masked) });
        break;
      }
      case 'assistant': {
        const content =
          message.content === null
            ? null
            : seal((await gate.trust.mask(message.content, { alreadyMasked: true })).masked);
        out.push(
          message.toolCalls
            ? { role: 'assistant', content, toolCalls: message.toolCalls }
            : { role: 'assistant', content },
        );
        break;
      }
      case 'tool': {
        const admitted = await admitTool(
          {
            kind: 'tool',
            tool: message.name,
            toolCallId: message.toolCallId,
            value: parseStored(message.content),
            alreadyMasked: true,
          },
          gate,
          'history',
        );
        out.push({ role: 'tool', toolCallId: message.toolCallId, name: message.name, content: admitted.content });
        break;
      }
    }
  }
  return out;
}
