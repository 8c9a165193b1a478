import { z } from 'zod';
import { CompiledToolGraph } from './compiled-graph.ts';
import { ToolGraphJson } from './schema.ts';
import { validateGraph } from './validate.ts';

export { CompiledToolGraph } from './compiled-graph.ts';
export type { ToolCallRecord, ToolCheck, ToolGraphMode } from './compiled-graph.ts';
export { ToolGraphJson, ToolGraphEdge } from './schema.ts';

export type ToolGraphCompileResult =
  { ok: true; graph: CompiledToolGraph; warnings: string[] } | { ok: false; errors: string[]; warnings: string[] };

/**
 * Validates and compiles an agent's tool flow graph against its tool names. `null`, `undefined` or a blank string
 * mean "no graph configured" and compile to an unrestricted graph; anything else must be a valid graph (an object,
 * or JSON text of one). Never throws.
 */
export function compileToolGraph(json: unknown, toolNames: string[]): ToolGraphCompileResult {
  try {
    const names = [...new Set(toolNames)];
    if (json === null || json === undefined || (typeof json === 'string' && json.trim() === '')) {
      return { ok: true, graph: CompiledToolGraph.unrestricted(names), warnings: [] };
    }
    let value = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        return { ok: false, errors: [`tool flow graph is not valid JSON: ${(error as Error).message}`], warnings: [] };
      }
    }
    const parsed = ToolGraphJson.safeParse(value);
    if (!parsed.success) {
      return {
        ok: false,
        errors: [`tool flow graph does not match the schema: ${z.prettifyError(parsed.error)}`],
        warnings: [],
      };
    }
    const { errors, warnings } = validateGraph(parsed.data, new Set(names));
    if (errors.length > 0) return { ok: false, errors, warnings };
    return { ok: true, graph: CompiledToolGraph.fromGraph(parsed.data, names, warnings), warnings };
  } catch (error) {
    return { ok: false, errors: [`internal error compiling the tool flow graph: ${String(error)}`], warnings: [] };
  }
}

/** Like compileToolGraph, but always returns a usable graph: a malformed one becomes a closed graph (no tools). */
export function loadToolGraph(
  json: unknown,
  toolNames: string[],
): { graph: CompiledToolGraph; errors: string[]; warnings: string[] } {
  const result = compileToolGraph(json, toolNames);
  if (result.ok) return { graph: result.graph, errors: [], warnings: result.warnings };
  return {
    graph: CompiledToolGraph.closed([...new Set(toolNames)], result.errors),
    errors: result.errors,
    warnings: result.warnings,
  };
}
