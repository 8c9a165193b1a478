import { compileToolGraph } from '../../governance/tool-graph/index.ts';
import type { AgentConfig } from '../agent-registry.ts';
import type { ToolDefinition, ToolGate } from '../ports.ts';
import type { TurnRecorder } from '../turn-recorder.ts';

/** ConditionalApproval tools let the model ask for approval: it can raise the requirement, never lower it (src/hitl). */
export function withApprovalRequest(tool: ToolDefinition): ToolDefinition {
  if (tool.hitlMode !== 'ConditionalApproval') return tool;
  const properties = {
    ...((tool.parameters.properties as Record<string, unknown> | undefined) ?? {}),
    _requiresApproval: {
      type: 'boolean',
      description: 'Set true to have a person approve this call even when the approval policy does not require it.',
    },
    _approvalReason: { type: 'string', description: 'Why this call should be approved by a person.' },
  };
  return { ...tool, parameters: { ...tool.parameters, properties } };
}

/** No graph configured → every tool; a malformed graph → no tools at all (fail closed), with the reason recorded. */
export function buildGraph(
  agent: AgentConfig,
  toolNames: string[],
  recorder: TurnRecorder,
): ToolGate | null | 'closed' {
  if (!agent.toolFlowGraph.trim()) return null;
  let json: unknown;
  try {
    json = JSON.parse(agent.toolFlowGraph);
  } catch {
    recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: 'ToolGraphInvalid',
      content: 'ToolFlowGraph__c is not valid JSON; no tools are offered.',
    });
    return 'closed';
  }
  const compiled = compileToolGraph(json, toolNames);
  if (!compiled.ok) {
    recorder.record({
      type: 'Error',
      role: 'System',
      isError: true,
      errorCategory: 'ToolGraphInvalid',
      content: `Tool flow graph rejected; no tools are offered: ${compiled.errors.join('; ')}`,
    });
    return 'closed';
  }
  return compiled.graph;
}
