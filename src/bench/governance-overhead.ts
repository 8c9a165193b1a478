import { MemoryTokenVault } from '../governance/pii/index.ts';
import { checkSoql } from '../governance/soql-guard/index.ts';
import { compileToolGraph } from '../governance/tool-graph/index.ts';
import { ScriptedProvider } from '../llm/scripted.ts';
import type { ScriptedScript } from '../llm/script-schema.ts';
import type { AgentConfig } from '../runtime/agent-registry.ts';
import { runGovernedLoop } from '../runtime/governed-loop.ts';
import type { HitlGate, ToolDefinition, ToolExecutor, ToolGate, TurnTrust } from '../runtime/ports.ts';
import { validateArguments } from '../runtime/tools/toolbox.ts';
import { TurnRecorder } from '../runtime/turn-recorder.ts';
import { createTurnTrust } from '../runtime/turn-trust.ts';
import type { Benchmark } from './context.ts';
import { loadDescribeIndex } from './corpora.ts';
import { median, percentile, round } from './stats.ts';

const cpuUs = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/**
 * Accumulates the time spent inside governance calls only; the model, the tool's data access and the recorder are
 * excluded. Each span counts min(process CPU, wall) time: process CPU over-counts when background threads (concurrent
 * GC) are busy, wall time over-counts when the machine preempts us; the main thread's own CPU is at most either. The
 * cost of reading the clocks is measured once and subtracted per span.
 */
class Stopwatch {
  us = 0;
  /** Per layer, for the breakdown in the details. */
  readonly byLayer = new Map<string, number>();
  static spanCost = 0;

  /** The clocks' own cost per span: what an empty span measures. */
  static calibrate(): void {
    Stopwatch.spanCost = 0;
    const watch = new Stopwatch();
    const spans = 20_000;
    for (let i = 0; i < spans; i++) watch.sync('calibration', () => i);
    Stopwatch.spanCost = watch.us / spans;
  }

  sync<T>(layer: string, fn: () => T): T {
    const cpu = cpuUs();
    const wall = performance.now();
    try {
      return fn();
    } finally {
      this.add(layer, cpu, wall);
    }
  }

  async async<T>(layer: string, fn: () => Promise<T>): Promise<T> {
    const cpu = cpuUs();
    const wall = performance.now();
    try {
      return await fn();
    } finally {
      this.add(layer, cpu, wall);
    }
  }

  private add(layer: string, cpuStart: number, wallStart: number): void {
    const us = Math.min(cpuUs() - cpuStart, (performance.now() - wallStart) * 1000);
    const net = Math.max(0, us - Stopwatch.spanCost);
    this.us += net;
    this.byLayer.set(layer, (this.byLayer.get(layer) ?? 0) + net);
  }
}

const QUERY_TOOL: ToolDefinition = {
  name: 'query_applications',
  description: 'Run one read-only SOQL query over loan applications.',
  parameters: {
    type: 'object',
    properties: { query: { type: 'string' } },
    required: ['query'],
    additionalProperties: false,
  },
  capabilityId: 'a03BENCH0000001',
  hitlMode: '',
  implementationType: 'Standard',
  implementationDetail: 'SoqlQuery',
  backendConfiguration: { objects: ['Loan_Application__c', 'Contact'], rowCap: 50 },
  sideEffects: false,
};
const UPDATE_TOOL: ToolDefinition = {
  ...QUERY_TOOL,
  name: 'update_application',
  capabilityId: 'a03BENCH0000002',
  hitlMode: 'Approval',
  sideEffects: true,
};

/** A typical turn: a user question carrying an email address, one governed SOQL call, an answer quoting the result. */
const SCRIPT: ScriptedScript = {
  name: 'bench-typical-turn',
  model: 'scripted-bench',
  rules: [
    {
      id: 'query',
      when: { turnStep: 0 },
      respond: {
        toolCalls: [
          {
            name: 'query_applications',
            arguments: {
              query:
                "SELECT Name, Amount__c, Status__c, Contact_Email__c FROM Loan_Application__c WHERE Status__c = 'Open' ORDER BY Amount__c DESC LIMIT 5",
            },
          },
        ],
      },
    },
    {
      id: 'answer',
      when: {},
      respond: {
        text: 'The largest open application is {{lastToolResult.records.0.Name}}; the applicant is {{lastToolResult.records.0.Contact_Email__c}}.',
      },
    },
  ],
};

const RECORDS = Array.from({ length: 5 }, (_, i) => ({
  Name: `LA-${1001 + i}`,
  Amount__c: 25_000 + i * 1_250,
  Status__c: 'Open',
  Contact_Email__c: `applicant${i}@harbor-lending.example`,
  Notes__c: `Call back on (415) 555-01${10 + i} about the collateral; reference LA-${1001 + i}.`,
}));

function benchAgent(): AgentConfig {
  return {
    id: 'a00BENCH0000001',
    name: 'Bench_Agent',
    active: true,
    systemPrompt: 'You are the lending desk assistant.',
    piiMode: 'hybrid',
    piiCategories: [],
    sensitiveClassifications: [],
    safetyMode: 'Block',
    safetyThreshold: 0.5,
    toolReasoning: false,
    maxSteps: 6,
    tokenBudget: 20_000,
    historyTurnLimit: 10,
    toolFlowGraph: '',
    serviceIdentity: null,
    llm: {} as AgentConfig['llm'],
    capabilities: [],
    invalidCapabilities: [],
    lastModified: '2025-01-01T00:00:00.000Z',
  };
}

function timedTrust(trust: TurnTrust, watch: Stopwatch): TurnTrust {
  return {
    screen: (text, source) => watch.sync(`screen_${source}`, () => trust.screen(text, source)),
    mask: (text) => watch.async('mask', () => trust.mask(text)),
    maskValue: (value, classifications) => watch.async('mask_result', () => trust.maskValue(value, classifications)),
    restore: (text) => watch.async('restore', () => trust.restore(text)),
    restoreValue: (value) => watch.async('restore', () => trust.restoreValue(value)),
    wrapUntrusted: (tool, content) => watch.sync('wrap', () => trust.wrapUntrusted(tool, content)),
  };
}

function timedGraph(graph: ToolGate, watch: Stopwatch): ToolGate {
  return {
    available: (history) => watch.sync('tool_graph', () => graph.available(history)),
    check: (tool, history) => watch.sync('tool_graph', () => graph.check(tool, history)),
  };
}

/** The runtime's approval policy for a tool without HITL: execute at once; with HITL: hold. */
const policyGate: HitlGate = {
  async review(request) {
    if (request.tool.hitlMode === '' && !request.modelRequestedApproval)
      return { decision: 'execute', args: request.args };
    return { decision: 'hold', pendingActionId: 'a05BENCH', message: 'Waiting for approval', type: 'Approval' };
  },
};

/** Runs `turns` typical turns in-process; returns the governance time of each (µs) and the mean per layer. */
export async function governanceSamples(
  turns: number,
  gate: HitlGate = policyGate,
): Promise<{ samples: number[]; layers: Record<string, number> }> {
  const index = loadDescribeIndex('officer');
  const classifications: Record<string, string | null> = {};
  for (const field of index.object('Loan_Application__c')?.fields ?? []) classifications[field.name] = null;
  classifications.Contact_Email__c = 'PII';
  const provider = new ScriptedProvider(SCRIPT);
  const vault = new MemoryTokenVault();
  const samples: number[] = [];
  const layers: Record<string, number> = {};
  for (let turn = 0; turn < turns; turn++) {
    const watch = new Stopwatch();
    const executor: ToolExecutor = {
      async execute(_tool, args) {
        const verdict = watch.sync('soql_guard', () => checkSoql(String(args.query), index, { rowCap: 50 }));
        if (!verdict.allowed)
          return { ok: false, errorCategory: 'SoqlGuardRefused', result: { violations: verdict.violations } };
        return {
          ok: true,
          result: { totalSize: RECORDS.length, records: RECORDS, query: verdict.query },
          classifications,
        };
      },
    };
    const compiled = compileToolGraph('', [QUERY_TOOL.name, UPDATE_TOOL.name]);
    if (!compiled.ok) throw new Error(compiled.errors.join('; '));
    // Each turn is its own conversation (a new vault entry), as in a worker serving many users.
    const trust = createTurnTrust(benchAgent(), `a01BENCH${String(turn).padStart(7, '0')}`, vault);
    const result = await runGovernedLoop(
      {
        systemPrompt: 'You are the lending desk assistant.',
        history: [],
        userMessage: 'Which open application is the largest? Copy maria.garcia@harbor-lending.example on the answer.',
        model: 'scripted-bench',
        prices: { promptPer1M: 0.15, completionPer1M: 0.6 },
        maxSteps: 6,
        tokenBudget: 20_000,
        safetyMode: 'Block',
        toolReasoning: false,
        tools: [QUERY_TOOL, UPDATE_TOOL],
      },
      {
        provider,
        executor,
        trust: timedTrust(trust, watch),
        gate: { review: (request) => watch.async('hitl_gate', () => gate.review(request)) },
        graph: timedGraph(compiled.graph, watch),
        recorder: new TurnRecorder('a01BENCH', `turn-${turn}`),
        validateArgs: (tool, args) => watch.sync('arg_schema', () => validateArguments(tool, args)),
        signal: new AbortController().signal,
        isStale: () => false,
      },
    );
    if (result.status !== 'completed' || result.toolCalls !== 1)
      throw new Error(`bench turn did not complete as scripted: ${result.status}`);
    provider.requests.length = 0;
    samples.push(watch.us);
    for (const [layer, us] of watch.byLayer) layers[layer] = (layers[layer] ?? 0) + us / turns;
  }
  return { samples, layers };
}

export const governanceOverheadBenchmark: Benchmark<'governance_overhead'> = {
  name: 'governance_overhead',
  title:
    'Governance overhead: CPU time per typical turn spent in masking, screening, SOQL guard, schema, graph and HITL gate',
  async run({ sizes, progress }) {
    progress('warm-up');
    Stopwatch.calibrate();
    await governanceSamples(Math.max(1, Math.floor(sizes.overheadTurns / 4)));
    const p50: number[] = [];
    const p99: number[] = [];
    let layers: Record<string, number> = {};
    for (let r = 0; r < sizes.rounds; r++) {
      progress(`round ${r + 1}/${sizes.rounds}`);
      const run = await governanceSamples(sizes.overheadTurns);
      p50.push(percentile(run.samples, 50));
      p99.push(percentile(run.samples, 99));
      layers = run.layers;
    }
    const breakdown = Object.fromEntries(Object.entries(layers).map(([layer, us]) => [`mean_${layer}_us`, round(us)]));
    return {
      figures: { p50_us: round(median(p50)), p99_us: round(median(p99)) },
      details: {
        turns_per_round: sizes.overheadTurns,
        rounds: sizes.rounds,
        tool_calls_per_turn: 1,
        model_calls_per_turn: 2,
        ...breakdown,
      },
    };
  },
};
