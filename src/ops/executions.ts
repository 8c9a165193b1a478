import { PermanentError } from '../errors.ts';
import { describeStep, formatInt, formatUsd, oneLine, type Colors } from '../demo/print.ts';
import { SalesforceId } from '../runtime/jobs.ts';
import type { SalesforceClient } from '../salesforce/rest-client.ts';

export interface ExecutionReport {
  execution: Record<string, unknown>;
  steps: Array<Record<string, unknown>>;
  pending: Array<Record<string, unknown>>;
}

const PAGE = 200;

/**
 * Reads one execution, its steps (paged by sequence, so long executions report progress) and its pending actions,
 * as the given client (the integration user, or an operator's own session).
 */
export async function loadExecution(
  client: SalesforceClient,
  id: string,
  onProgress?: (loaded: number, total: number) => void,
): Promise<ExecutionReport> {
  const parsed = SalesforceId.safeParse(id);
  if (!parsed.success)
    throw new PermanentError(`"${id}" is not a Salesforce ID (15 or 18 letters and digits)`, {
      category: 'InvalidInput',
    });
  const { records } = await client.query(
    `SELECT Id, Name, ExecutionStatus__c, AIAgentDefinition__r.DeveloperName__c, RequestingUser__c, TriggerSource__c, CreatedDate, StepCount__c, TotalTokens__c, TotalCostUSD__c, LastError__c, CurrentTurnIdentifier__c FROM AgentExecution__c WHERE Id = '${parsed.data}'`,
  );
  const execution = records[0];
  if (!execution) throw new PermanentError(`No execution ${id} is visible to this user.`, { category: 'InvalidInput' });
  const total = typeof execution.StepCount__c === 'number' ? execution.StepCount__c : 0;
  const steps: Array<Record<string, unknown>> = [];
  let after = '';
  for (;;) {
    const page = await client.query(
      `SELECT StepKey__c, TurnIdentifier__c, Sequence__c, Timestamp__c, StepType__c, StepRole__c, Content__c, ToolName__c, ToolArguments__c, ToolResult__c, IsError__c, ErrorCategory__c, SafetyVerdict__c, TotalTokens__c FROM ExecutionStep__c WHERE AgentExecution__c = '${parsed.data}'${after ? ` AND StepKey__c > '${after}'` : ''} ORDER BY StepKey__c LIMIT ${PAGE}`,
    );
    steps.push(...page.records);
    onProgress?.(steps.length, Math.max(total, steps.length));
    if (page.records.length < PAGE) break;
    after = String(page.records.at(-1)?.StepKey__c ?? '').replace(/'/g, "\\'");
  }
  steps.sort(
    (a, b) =>
      String(a.Timestamp__c).localeCompare(String(b.Timestamp__c)) || Number(a.Sequence__c) - Number(b.Sequence__c),
  );
  const pending = await client.query(
    `SELECT Id, Status__c, HITLType__c, CreatedDate FROM PendingHITLAction__c WHERE AgentExecution__c = '${parsed.data}' ORDER BY CreatedDate`,
  );
  return { execution, steps, pending: pending.records };
}

/** Human-readable report lines. */
export function formatExecution(report: ExecutionReport, c: Colors): string[] {
  const e = report.execution;
  const agent = (e.AIAgentDefinition__r as { DeveloperName__c?: string } | null)?.DeveloperName__c ?? '?';
  const lines = [
    `${c.bold(`Execution ${String(e.Id)}`)} ${c.dim(String(e.Name ?? ''))}`,
    `  agent ${agent} · status ${String(e.ExecutionStatus__c)} · requested by ${String(e.RequestingUser__c)} via ${String(e.TriggerSource__c ?? '?')} · ${String(e.CreatedDate)}`,
    `  ${formatInt(Number(e.StepCount__c ?? report.steps.length))} steps · ${formatInt(Number(e.TotalTokens__c ?? 0))} tokens · ${formatUsd(Number(e.TotalCostUSD__c ?? 0))}${e.LastError__c ? c.red(` · last error ${String(e.LastError__c)}`) : ''}`,
  ];
  let turn = '';
  for (const step of report.steps) {
    if (step.TurnIdentifier__c !== turn) {
      turn = String(step.TurnIdentifier__c);
      lines.push('', c.bold(`  turn ${turn}`));
    }
    lines.push(`  ${c.dim(String(step.Sequence__c ?? '').padStart(4))} ${describeStep(c, step)}`);
  }
  if (report.pending.length > 0) {
    lines.push('', c.bold('  pending actions'));
    for (const action of report.pending)
      lines.push(
        `  ${String(action.Id)} ${String(action.HITLType__c)} ${String(action.Status__c)} ${c.dim(oneLine(action.CreatedDate))}`,
      );
  }
  return lines;
}
