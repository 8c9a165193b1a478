import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Where the demo writes; `process.stdout` or a capture in tests. */
export interface DemoOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Line printer with colour only when asked (a TTY without NO_COLOR). */
export class Printer {
  readonly c: Colors;

  constructor(
    private readonly out: DemoOutput,
    color: boolean,
  ) {
    this.c = pc.createColors(color);
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  heading(text: string): void {
    this.line();
    this.line(this.c.bold(this.c.underline(text)));
  }
}

/** One line of at most `max` characters, newlines flattened. */
export function oneLine(text: unknown, max = 110): string {
  const flat = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 0.01 ? 5 : 2)}`;
}

export function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Colour and one-line summary of an `ExecutionStep__c` row for the audit trail. */
export function describeStep(c: Colors, step: Record<string, unknown>): string {
  const type = String(step.StepType__c ?? '?');
  const tool = step.ToolName__c ? `${String(step.ToolName__c)} ` : '';
  let detail: string;
  switch (type) {
    case 'ToolCall':
      detail = `${tool}${oneLine(step.ToolArguments__c, 90)}`;
      break;
    case 'ToolResult':
      detail = `${tool}${oneLine(step.ToolResult__c, 90)}`;
      break;
    case 'LLMRequest':
    case 'LLMResponse':
      detail = `${step.TotalTokens__c ? `${String(step.TotalTokens__c)} tokens ` : ''}${oneLine(step.Content__c, 80)}`;
      break;
    default:
      detail = oneLine(step.Content__c, 96);
  }
  const error = step.IsError__c === true ? c.red(` [${String(step.ErrorCategory__c ?? 'error')}]`) : '';
  const verdict = step.SafetyVerdict__c ? c.magenta(` [${String(step.SafetyVerdict__c)}]`) : '';
  const paint =
    step.IsError__c === true
      ? c.red
      : type === 'SafetyCheck' || type === 'Approval'
        ? c.magenta
        : type === 'AgentResponse'
          ? c.green
          : c.dim;
  return `${paint(type.padEnd(13))} ${detail}${error}${verdict}`;
}
