import type { ToolCall } from './types.ts';

/** Largest argument text accepted from a model (bytes of UTF-8). */
export const MAX_TOOL_ARGUMENT_BYTES = 256 * 1024;

export type ParsedToolArguments = { ok: true; value: Record<string, unknown> } | { ok: false; error: string };

/**
 * Parses the raw argument text of a tool call. Never throws: on failure the error text is meant to be
 * returned to the model as the tool result so it can correct itself.
 */
export function parseToolArguments(call: ToolCall): ParsedToolArguments {
  const raw = call.arguments;
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_TOOL_ARGUMENT_BYTES) {
    return {
      ok: false,
      error: `Arguments for tool "${call.name}" are ${bytes} bytes; the limit is ${MAX_TOOL_ARGUMENT_BYTES}. Send smaller arguments.`,
    };
  }
  // Some models send "" for a tool without parameters; treat it as an empty object.
  if (raw.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: `Arguments for tool "${call.name}" are not valid JSON (${reason}). Send a JSON object.`,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, error: `Arguments for tool "${call.name}" must be a JSON object, got ${kind}.` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
