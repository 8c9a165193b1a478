import { z } from 'zod';

const ToolName = z.string().min(1).max(255);
const Tools = (min: number) => z.array(ToolName).min(min);

/**
 * The tool flow graph an agent carries (JSON, version 1). Semantics live in docs/trust-layers/tool-graph.md:
 * - sequential: after any `from` tool succeeds, the single `to` tool becomes available;
 * - parallel: after any `from` tool succeeds, all `to` tools become available, in any order;
 * - join: the `to` tools become available only after every `from` tool has succeeded;
 * - exclusive: after any `from` tool succeeds, the model picks one `to` branch (each described by its label);
 *   once one branch succeeds, the other branches close.
 */
export const ToolGraphEdge = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sequential'), from: Tools(1), to: Tools(1).max(1) }),
  z.strictObject({ type: z.literal('parallel'), from: Tools(1), to: Tools(2) }),
  z.strictObject({ type: z.literal('join'), from: Tools(2), to: Tools(1) }),
  z.strictObject({
    type: z.literal('exclusive'),
    from: Tools(1),
    to: Tools(2),
    // Optional here so a missing label gets a precise graph error naming the branch, not a generic schema error.
    labels: z.record(z.string(), z.string().trim().min(1)).optional(),
  }),
]);
export type ToolGraphEdge = z.infer<typeof ToolGraphEdge>;

export const ToolGraphJson = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  entry: Tools(1),
  edges: z.array(ToolGraphEdge).default([]),
});
export type ToolGraphJson = z.infer<typeof ToolGraphJson>;
