import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/** `"/pattern/flags"` keeps the given flags; a bare pattern is matched case-insensitively. */
const Pattern = z
  .string()
  .min(1)
  .transform((source, ctx) => {
    const literal = /^\/(.*)\/([dgimsuvy]*)$/s.exec(source);
    try {
      return literal ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, '')) : new RegExp(source, 'i');
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
      return z.NEVER;
    }
  });

const Category = z.enum([
  'RateLimited',
  'ProviderUnavailable',
  'Timeout',
  'BadRequest',
  'AuthFailed',
  'MalformedResponse',
  'ContextTooLong',
]);

const When = z.strictObject({
  /** Regex over the latest user message. */
  lastUserMessage: Pattern.optional(),
  /** Role of the final message in the conversation. */
  lastMessageRole: z.enum(['system', 'user', 'assistant', 'tool']).optional(),
  /** Some result of the latest tool step (the tool messages after the last assistant message) matches. */
  lastToolResult: z.strictObject({ tool: z.string().min(1).optional(), contains: Pattern.optional() }).optional(),
  /** Model calls already made since the latest user message (0 = first call of the turn). */
  turnStep: z.number().int().nonnegative().optional(),
  /** Every named tool is offered in the request. */
  toolsAvailable: z.array(z.string().min(1)).optional(),
});

const ScriptedToolCall = z.strictObject({
  id: z.string().min(1).optional(),
  name: z.string().min(1),
  /** An object (templated per value) or raw text (templated as text; use it to simulate invalid JSON). */
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
});

const Respond = z
  .strictObject({
    text: z.string().optional(),
    toolCalls: z.array(ScriptedToolCall).optional(),
    usage: z
      .strictObject({
        promptTokens: z.number().int().nonnegative().optional(),
        completionTokens: z.number().int().nonnegative().optional(),
      })
      .optional(),
    finishReason: z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'other']).optional(),
    /** Simulates a provider failure (thrown as an LlmError of this category). */
    error: z
      .strictObject({
        category: Category,
        message: z.string().min(1).optional(),
        status: z.number().int().min(100).max(599).optional(),
        retryAfterMs: z.number().int().nonnegative().optional(),
      })
      .optional(),
  })
  .refine((respond) => respond.text !== undefined || respond.toolCalls !== undefined || respond.error !== undefined, {
    message: 'respond needs text, toolCalls or error',
  });

const Rule = z.strictObject({
  id: z.string().min(1).optional(),
  when: When.default({}),
  respond: Respond,
});

/** A scripted conversation: the first rule whose `when` matches answers. */
export const ScriptSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** Reported as the response model when set. */
  model: z.string().min(1).optional(),
  rules: z.array(Rule).min(1),
});

/** A script as written (YAML/JSON/object). */
export type ScriptedScript = z.input<typeof ScriptSchema>;
/** A validated script with compiled patterns. */
export type ParsedScript = z.output<typeof ScriptSchema>;
export type ScriptRule = ParsedScript['rules'][number];

const parsedScripts = new WeakSet<object>();

/** Validates a script object; throws ConfigError naming each bad path. Already-parsed scripts pass through. */
export function parseScript(input: unknown, source = 'script'): ParsedScript {
  if (isParsedScript(input)) return input;
  const result = ScriptSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`Invalid scripted-provider ${source}:\n${z.prettifyError(result.error)}`);
  parsedScripts.add(result.data);
  return result.data;
}

/** True for the output of parseScript/loadScriptFile (patterns already compiled). */
export function isParsedScript(value: unknown): value is ParsedScript {
  return typeof value === 'object' && value !== null && parsedScripts.has(value);
}

/** Reads a YAML or JSON script file (YAML is a superset of JSON, so one parser serves both). */
export function loadScriptFile(path: string): ParsedScript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read scripted-provider script ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`Scripted-provider script ${path} is not valid YAML/JSON: ${(error as Error).message}`);
  }
  return parseScript(data, `script ${path}`);
}
