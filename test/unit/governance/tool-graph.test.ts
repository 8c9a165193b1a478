import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileToolGraph, loadToolGraph } from '../../../src/governance/tool-graph/index.ts';
import type { CompiledToolGraph, ToolCallRecord } from '../../../src/governance/tool-graph/index.ts';

const TOOLS = [
  'search_loans',
  'get_loan',
  'get_applicant',
  'check_credit',
  'verify_income',
  'assess_risk',
  'approve_loan',
  'decline_loan',
  'add_note',
];

const LENDING = {
  version: 1,
  entry: ['search_loans'],
  edges: [
    { type: 'sequential', from: ['search_loans'], to: ['get_loan'] },
    { type: 'parallel', from: ['get_loan'], to: ['get_applicant', 'add_note'] },
    { type: 'parallel', from: ['get_applicant'], to: ['check_credit', 'verify_income'] },
    { type: 'join', from: ['check_credit', 'verify_income'], to: ['assess_risk'] },
    {
      type: 'exclusive',
      from: ['assess_risk'],
      to: ['approve_loan', 'decline_loan'],
      labels: { approve_loan: 'credit and income are acceptable', decline_loan: 'credit is below policy' },
    },
  ],
};

function compiled(json: unknown = LENDING, tools = TOOLS): CompiledToolGraph {
  const result = compileToolGraph(json, tools);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.graph;
}

const ok = (...tools: string[]): ToolCallRecord[] => tools.map((tool) => ({ tool, ok: true }));

describe('compileToolGraph: availability', () => {
  const graph = compiled();

  it('starts with the entry tools and unlocks along sequential and parallel edges', () => {
    expect(graph.available([])).toEqual(['search_loans']);
    expect(graph.available(ok('search_loans'))).toEqual(['search_loans', 'get_loan']);
    expect(graph.available(ok('search_loans', 'get_loan'))).toEqual([
      'search_loans',
      'get_loan',
      'get_applicant',
      'add_note',
    ]);
  });

  it('ignores failed calls', () => {
    expect(graph.available([{ tool: 'search_loans', ok: false }])).toEqual(['search_loans']);
    expect(graph.check('get_loan', [{ tool: 'search_loans', ok: false }]).allowed).toBe(false);
  });

  it('opens a join only when every prior tool has succeeded', () => {
    const partial = ok('search_loans', 'get_loan', 'get_applicant', 'verify_income');
    expect(graph.available(partial)).not.toContain('assess_risk');
    const refusal = graph.check('assess_risk', partial);
    expect(refusal.allowed).toBe(false);
    expect(refusal.reason).toContain('still missing: check_credit');
    expect(graph.check('assess_risk', [...partial, ...ok('check_credit')])).toEqual({ allowed: true });
  });

  it('closes the other exclusive branches once one is taken', () => {
    const history = ok('search_loans', 'get_loan', 'get_applicant', 'check_credit', 'verify_income', 'assess_risk');
    expect(graph.available(history)).toEqual(expect.arrayContaining(['approve_loan', 'decline_loan']));
    const afterDecline = [...history, ...ok('decline_loan')];
    expect(graph.available(afterDecline)).not.toContain('approve_loan');
    const refusal = graph.check('approve_loan', afterDecline);
    expect(refusal.allowed).toBe(false);
    expect(refusal.reason).toContain("'decline_loan' (credit is below policy) was already chosen");
  });

  it('refuses out-of-order and unknown tools with an explanation for the model', () => {
    const refusal = graph.check('assess_risk', ok('search_loans'));
    expect(refusal.allowed).toBe(false);
    expect(refusal.reason).toMatch(
      /not available yet: it requires successful calls to all of check_credit, verify_income/,
    );
    expect(graph.check('approve_loan', ok('search_loans')).reason).toContain('a successful call to assess_risk');
    expect(refusal.reason).toContain('Available now: search_loans, get_loan.');
    expect(graph.check('delete_everything', []).reason).toContain('not one of this agent');
  });
});

describe('compileToolGraph: validation fails closed', () => {
  const fails = (json: unknown, pattern: RegExp): void => {
    const result = compileToolGraph(json, TOOLS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(pattern);
  };

  it('rejects unknown tools, cycles, unlabelled exclusive branches and schema errors', () => {
    fails({ ...LENDING, entry: ['search_loans', 'wire_money'] }, /entry: unknown tool 'wire_money'/);
    fails(
      { version: 1, entry: ['search_loans'], edges: [{ type: 'sequential', from: ['search_loans'], to: ['ghost'] }] },
      /unknown tool 'ghost'/,
    );
    fails(
      {
        version: 1,
        entry: ['search_loans'],
        edges: [
          { type: 'sequential', from: ['get_loan'], to: ['add_note'] },
          { type: 'sequential', from: ['add_note'], to: ['get_loan'] },
        ],
      },
      /cycle: (get_loan -> add_note -> get_loan|add_note -> get_loan -> add_note)/,
    );
    fails(
      {
        version: 1,
        entry: ['get_loan'],
        edges: [
          {
            type: 'exclusive',
            from: ['get_loan'],
            to: ['approve_loan', 'decline_loan'],
            labels: { approve_loan: 'ok' },
          },
        ],
      },
      /exclusive branch 'decline_loan' has no label/,
    );
    fails(
      {
        version: 1,
        entry: ['get_loan'],
        edges: [{ type: 'exclusive', from: ['get_loan'], to: ['approve_loan', 'decline_loan'] }],
      },
      /no label/,
    );
    fails({ version: 2, entry: ['get_loan'] }, /schema/);
    fails({ version: 1, entry: [] }, /schema/);
    fails(
      { version: 1, entry: ['get_loan'], edges: [{ type: 'join', from: ['get_loan'], to: ['add_note'] }] },
      /schema/,
    );
    fails({ version: 1, entry: ['get_loan'], extra: true }, /schema/);
    fails('{not json', /not valid JSON/);
    fails({}, /schema/);
    fails(42, /schema/);
  });

  it('a malformed graph exposes no tools and says why', () => {
    const { graph, errors } = loadToolGraph({ version: 1, entry: ['ghost'] }, TOOLS);
    expect(errors).toHaveLength(1);
    expect(graph.mode).toBe('closed');
    expect(graph.available([])).toEqual([]);
    expect(graph.check('search_loans', []).reason).toContain("unknown tool 'ghost'");
  });

  it('no graph configured means every tool, in order', () => {
    for (const none of [undefined, null, '  ']) {
      const { graph, errors } = loadToolGraph(none, TOOLS);
      expect(errors).toEqual([]);
      expect(graph.mode).toBe('unrestricted');
      expect(graph.available([])).toEqual(TOOLS);
      expect(graph.check('approve_loan', [])).toEqual({ allowed: true });
    }
  });

  it('accepts JSON text and warns about tools that can never become available', () => {
    const result = compileToolGraph(JSON.stringify({ version: 1, entry: ['search_loans'] }), TOOLS);
    expect(result.ok).toBe(true);
    expect(result.warnings).toContain("tool 'get_loan' can never become available in this graph");
    if (result.ok) expect(result.graph.check('get_loan', []).reason).toContain('never available');
  });
});

describe('compileToolGraph properties', () => {
  it('only tools reachable from entry via successful calls are ever available', () => {
    const graph = compiled();
    fc.assert(
      fc.property(
        fc.array(fc.record({ tool: fc.constantFrom(...TOOLS), ok: fc.boolean() }), { maxLength: 16 }),
        (history) => {
          // Replay the history as the loop would: a call the graph refuses never runs, so it is recorded as failed.
          const executed: ToolCallRecord[] = [];
          for (const call of history) {
            const allowed = graph.check(call.tool, executed).allowed;
            expect(graph.available(executed).includes(call.tool)).toBe(allowed);
            executed.push({ tool: call.tool, ok: allowed && call.ok });
          }
          const succeeded = executed.filter((call) => call.ok).map((call) => call.tool);
          if (succeeded.includes('approve_loan')) {
            expect(succeeded).toEqual(expect.arrayContaining(['check_credit', 'verify_income', 'assess_risk']));
            expect(succeeded).not.toContain('decline_loan');
          }
          if (succeeded.includes('get_loan'))
            expect(succeeded.indexOf('search_loans')).toBeLessThan(succeeded.indexOf('get_loan'));
        },
      ),
      { numRuns: 400 },
    );
  });
});
