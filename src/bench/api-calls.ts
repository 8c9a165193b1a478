import type { Benchmark } from './context.ts';
import { Cluster, type TurnTiming } from './e2e/cluster.ts';
import type { Scenario } from './e2e/script.ts';
import { round } from './stats.ts';
import { PERMISSIONS_PATH } from '../salesforce/custom-permissions.ts';

/** Records the turn's final write creates besides steps and decisions: outbound message, execution update, result event. */
const OTHER_RECORDS = 3;

/**
 * The naive baseline for one turn: the same reads and tool calls, but one API call per audit record instead of one
 * composite for all of them.
 */
async function naiveCalls(cluster: Cluster, turn: TurnTiming, toolCalls: number): Promise<number> {
  const [steps, decisions] = await Promise.all([
    cluster.records('ExecutionStep__c'),
    cluster.records('AgentDecisionStep__c'),
  ]);
  const mine = (rows: Array<Record<string, unknown>>): number =>
    rows.filter((row) => String(row.AgentExecution__c ?? '').slice(0, 15) === turn.executionId.slice(0, 15)).length;
  const stepCount = mine(steps);
  if (stepCount === 0) throw new Error(`no audit steps found for execution ${turn.executionId}`);
  return 1 + toolCalls + stepCount + mine(decisions) + OTHER_RECORDS;
}

export const apiCallsBenchmark: Benchmark<'api_calls_per_turn'> = {
  name: 'api_calls_per_turn',
  title:
    'Salesforce API calls per turn (emulator count) with 0, 1 and 3 tool calls, warm and cold, against one call per audit record',
  async run({ sizes, progress, logger }) {
    progress('starting emulator and worker processes');
    const cluster = await Cluster.start({ mode: 'embedded', concurrency: 4, logger });
    try {
      await cluster.addWorker();
      // The worker's first turn: JWT sessions, agent configuration and describes are all fetched.
      progress('cold turn');
      let used = await cluster.apiUsed();
      await cluster.turn('tools1');
      const cold = (await cluster.apiUsed()) - used - 1; // minus the officer's own startTurn composite
      progress('warming caches');
      for (const scenario of ['tools0', 'tools1', 'tools3'] as const) await cluster.turn(scenario);
      await cluster.takeRequestLog();
      const [before] = await cluster.stats();
      const officerId = (await cluster.officer.userId()).slice(0, 15);
      const perTurn: Record<string, number> = {};
      const workerCounted: Record<string, number> = {};
      /** Where each scenario's calls went: the worker's own reads and writes (integration user), tool calls (as the officer). */
      const split: Record<string, number> = {};
      let describeRequests = 0;
      let lastTools1: TurnTiming | undefined;
      for (const scenario of ['tools0', 'tools1', 'tools3'] as Scenario[]) {
        progress(`steady state: ${scenario}`);
        used = await cluster.apiUsed();
        let worker = 0;
        for (let i = 0; i < sizes.apiTurns; i++) {
          const turn = await cluster.turn(scenario);
          if (turn.status !== 'completed') throw new Error(`a ${scenario} turn ended ${turn.status}`);
          worker += turn.apiCalls;
          if (scenario === 'tools1') lastTools1 = turn;
        }
        perTurn[scenario] = ((await cluster.apiUsed()) - used - sizes.apiTurns) / sizes.apiTurns;
        workerCounted[scenario] = worker / sizes.apiTurns;
        const log = await cluster.takeRequestLog();
        describeRequests += log.filter((entry) => entry.path.includes('/describe')).length;
        const counted = log.filter((entry) => entry.counted);
        const asOfficer = (entry: { userId: string | null }): boolean =>
          (entry.userId ?? '').slice(0, 15) === officerId;
        const perTurnOf = (n: number): number => round(n / sizes.apiTurns, 2);
        split[`${scenario}_context_reads`] = perTurnOf(
          counted.filter((entry) => !asOfficer(entry) && entry.method === 'GET').length,
        );
        split[`${scenario}_audit_writes`] = perTurnOf(
          counted.filter((entry) => !asOfficer(entry) && entry.method !== 'GET').length,
        );
        // The officer's startTurn composite is the publish, not the worker's; tool calls run with the officer's session.
        // The custom-permission check (class 7) also runs with the officer's session: at most one per user per 60 s.
        const accessCheck = (entry: { path: string }): boolean => entry.path === PERMISSIONS_PATH;
        split[`${scenario}_tool_calls`] = perTurnOf(
          counted.filter((entry) => asOfficer(entry) && entry.method === 'GET' && !accessCheck(entry)).length,
        );
        split[`${scenario}_access_checks`] = perTurnOf(counted.filter(accessCheck).length);
      }
      const [after] = await cluster.stats();
      const configLoads = (after?.registryLoads ?? 0) - (before?.registryLoads ?? 0);
      const describeFetches = (after?.describeFetches ?? 0) - (before?.describeFetches ?? 0);
      if (!lastTools1) throw new Error('no steady tools_1 turn ran');
      const naive = await naiveCalls(cluster, lastTools1, 1);
      return {
        figures: {
          tools_0: round(perTurn.tools0 ?? 0, 2),
          tools_1: round(perTurn.tools1 ?? 0, 2),
          tools_3: round(perTurn.tools3 ?? 0, 2),
          cold_tools_1: cold,
          naive_tools_1: naive,
        },
        details: {
          turns_per_scenario: sizes.apiTurns,
          worker_meter_tools_0: round(workerCounted.tools0 ?? 0, 2),
          worker_meter_tools_1: round(workerCounted.tools1 ?? 0, 2),
          worker_meter_tools_3: round(workerCounted.tools3 ?? 0, 2),
          warm_describe_config_calls: describeRequests + configLoads + describeFetches,
          warm_describe_requests: describeRequests,
          warm_agent_config_loads: configLoads,
          ...split,
        },
      };
    } finally {
      await cluster.close();
    }
  },
};
