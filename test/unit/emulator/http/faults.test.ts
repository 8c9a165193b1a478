import { describe, expect, it } from 'vitest';
import { Faults } from '../../../../src/emulator/http/faults.ts';

describe('Faults', () => {
  it('fails exactly the next N matching requests', () => {
    const faults = new Faults();
    faults.failNext(2, { status: 500, pathPrefix: '/services/data' });
    expect(faults.decide('/cometd/62.0')).toEqual({ kind: 'none' });
    expect(faults.decide('/services/data/v62.0/query')).toEqual({ kind: 'fail', status: 500 });
    expect(faults.decide('/services/data/v62.0/query')).toEqual({ kind: 'fail', status: 500 });
    expect(faults.decide('/services/data/v62.0/query')).toEqual({ kind: 'none' });
  });

  it('fails only queries whose SOQL contains the given text, case-insensitively', () => {
    const faults = new Faults();
    faults.failNext(1, { status: 500, soqlContains: 'from user where' });
    expect(faults.decide('/services/data/v62.0/query', 'SELECT Id FROM Account')).toEqual({ kind: 'none' });
    expect(faults.decide('/services/data/v62.0/sobjects/Task')).toEqual({ kind: 'none' });
    expect(faults.decide('/services/data/v62.0/query', "SELECT Username FROM User WHERE Id = '005'")).toEqual({
      kind: 'fail',
      status: 500,
    });
    expect(faults.decide('/services/data/v62.0/query', "SELECT Username FROM User WHERE Id = '005'")).toEqual({
      kind: 'none',
    });
  });

  it('drops before failing and replays a seeded failure rate identically', () => {
    const run = (): string[] => {
      const faults = new Faults();
      faults.setFailureRate(0.5, { seed: 42 });
      return Array.from({ length: 40 }, () => faults.decide('/x').kind);
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first).toContain('fail');
    expect(first).toContain('none');
    const faults = new Faults();
    faults.dropNext(1);
    faults.failNext(1);
    expect(faults.decide('/a').kind).toBe('drop');
    expect(faults.decide('/a').kind).toBe('fail');
    faults.clear();
    expect(faults.snapshot().latencyMs).toBe(0);
  });
});
