import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestionSnapshot } from '../ingestion/metrics.ts';
import type { JobOutcome } from '../runtime/jobs.ts';
import type { TurnWritten } from '../runtime/turn-handler.ts';

/** What `/metrics` reads on every scrape besides the counters kept here. */
export interface MetricSources {
  /** Ingestion counters, queue depth and lag (the worker runtime's snapshot). */
  ingestion?: () => Promise<IngestionSnapshot | undefined>;
  /** Last `Sforce-Limit-Info` reading: API calls used vs the org's daily allocation. */
  allocation?: () => { used: number; max: number } | undefined;
  /** API calls this process made. */
  apiCallsMade?: () => number;
  /** Pending actions waiting for a person (HITL). */
  approvalsPending?: () => Promise<number> | number;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Prometheus metrics of one worker instance. Each instance owns its registry (never prom-client's global one), so
 * two workers in one process, or two tests, never share series.
 */
export class LoomMetrics {
  readonly registry = new Registry();
  private readonly turns: Counter<'status'>;
  private readonly jobs: Counter<'kind' | 'status'>;
  private readonly steps: Counter<'type'>;
  private readonly llmLatency: Histogram<'model'>;
  private readonly llmTokens: Counter<'model'>;
  private readonly costUsd: Counter;
  private readonly tools: Counter<'tool' | 'outcome'>;
  private readonly safety: Counter<'verdict'>;
  private readonly httpTurns: Counter<'route' | 'status'>;

  constructor(sources: MetricSources = {}) {
    const registers = [this.registry];
    this.turns = new Counter({
      name: 'loom_turns_total',
      help: 'Agent turns written, by final status',
      labelNames: ['status'],
      registers,
    });
    this.jobs = new Counter({
      name: 'loom_jobs_total',
      help: 'Jobs handled, by kind and outcome',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.steps = new Counter({
      name: 'loom_steps_total',
      help: 'ExecutionStep__c rows written, by step type',
      labelNames: ['type'],
      registers,
    });
    this.llmLatency = new Histogram({
      name: 'loom_llm_latency_seconds',
      help: 'Model call latency including retries',
      labelNames: ['model'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80],
      registers,
    });
    this.llmTokens = new Counter({
      name: 'loom_llm_tokens_total',
      help: 'Tokens used by model calls',
      labelNames: ['model'],
      registers,
    });
    this.costUsd = new Counter({ name: 'loom_llm_cost_usd_total', help: 'Estimated model cost in USD', registers });
    this.tools = new Counter({
      name: 'loom_tool_calls_total',
      help: 'Tool results, by tool and outcome (ok or error)',
      labelNames: ['tool', 'outcome'],
      registers,
    });
    this.safety = new Counter({
      name: 'loom_safety_detections_total',
      help: 'Prompt-safety checks that flagged input, by verdict',
      labelNames: ['verdict'],
      registers,
    });
    this.httpTurns = new Counter({
      name: 'loom_http_turn_requests_total',
      help: 'POST /v1/turns requests, by route and HTTP status',
      labelNames: ['route', 'status'],
      registers,
    });

    registerSourceGauges(registers, sources);
    registerIngestionGauges(registers, sources);
  }

  /** Feeds the turn handler's `onTurnWritten` observer. */
  observeTurn(turn: TurnWritten): void {
    this.turns.inc({ status: turn.status });
    if (turn.costUsd > 0) this.costUsd.inc(turn.costUsd);
    for (const step of turn.steps) {
      const type = String(step.StepType__c ?? 'Unknown');
      this.steps.inc({ type });
      if (type === 'LLMResponse') {
        const model = String(step.ModelIdentifier__c ?? 'unknown');
        if (typeof step.DurationMs__c === 'number') this.llmLatency.observe({ model }, num(step.DurationMs__c) / 1000);
        const tokens = num(step.TotalTokens__c);
        if (tokens > 0) this.llmTokens.inc({ model }, tokens);
      } else if (type === 'ToolResult') {
        this.tools.inc({
          tool: String(step.ToolName__c ?? 'unknown'),
          outcome: step.IsError__c === true ? 'error' : 'ok',
        });
      } else if (
        type === 'SafetyCheck' &&
        typeof step.SafetyVerdict__c === 'string' &&
        step.SafetyVerdict__c !== 'Allowed'
      ) {
        this.safety.inc({ verdict: step.SafetyVerdict__c });
      }
    }
  }

  observeJob(kind: string, outcome: JobOutcome | 'error'): void {
    this.jobs.inc({ kind, status: outcome === 'error' ? 'error' : outcome.status });
  }

  observeHttpTurn(route: string, status: number): void {
    this.httpTurns.inc({ route, status: String(status) });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Gauges read from the sources on every scrape: pending approvals and the org's API allocation and use. */
function registerSourceGauges(registers: Registry[], sources: MetricSources): void {
  new Gauge({
    name: 'loom_approvals_pending',
    help: 'Pending actions waiting for a person',
    registers,
    async collect() {
      // An unreadable count leaves the last value; the scrape itself must not fail.
      const count = sources.approvalsPending
        ? await Promise.resolve(sources.approvalsPending()).catch(() => undefined)
        : undefined;
      if (count !== undefined) this.set(count);
    },
  });
  new Gauge({
    name: 'loom_salesforce_api_calls_used',
    help: 'API calls used in the org’s rolling 24 h allocation (last Sforce-Limit-Info)',
    registers,
    collect() {
      const allocation = sources.allocation?.();
      if (allocation) this.set(allocation.used);
    },
  });
  new Gauge({
    name: 'loom_salesforce_api_allocation',
    help: 'The org’s daily API allocation (last Sforce-Limit-Info)',
    registers,
    collect() {
      const allocation = sources.allocation?.();
      if (allocation) this.set(allocation.max);
    },
  });
  new Gauge({
    name: 'loom_salesforce_api_calls_made',
    help: 'Salesforce API calls this worker made since it started',
    registers,
    collect() {
      if (sources.apiCallsMade) this.set(sources.apiCallsMade());
    },
  });
}

/** Ingestion gauges (queue depth, lag, counters), all from one snapshot per scrape. */
function registerIngestionGauges(registers: Registry[], sources: MetricSources): void {
  const snapshot = (() => {
    // One ingestion snapshot per scrape, shared by the gauges below.
    let pending: Promise<IngestionSnapshot | undefined> | undefined;
    return (): Promise<IngestionSnapshot | undefined> => {
      pending ??= (sources.ingestion ? sources.ingestion() : Promise.resolve(undefined)).finally(() => {
        setImmediate(() => (pending = undefined));
      });
      return pending;
    };
  })();
  new Gauge({
    name: 'loom_queue_depth',
    help: 'Jobs waiting or running',
    registers,
    async collect() {
      const snap = await snapshot();
      if (snap) this.set(snap.queueDepth);
    },
  });
  new Gauge({
    name: 'loom_ingestion_lag_seconds',
    help: 'Time between the last event’s CreatedDate and its enqueue',
    registers,
    async collect() {
      const snap = await snapshot();
      if (snap) this.set(snap.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'loom_ingestion_events',
    help: 'Ingestion counters (received, enqueued, duplicates, dead-lettered, …) since start',
    labelNames: ['counter'],
    registers,
    async collect() {
      const snap = await snapshot();
      if (!snap) return;
      for (const [counter, value] of Object.entries(snap.counters)) this.set({ counter }, value);
    },
  });
}
