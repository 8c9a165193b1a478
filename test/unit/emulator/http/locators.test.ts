import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../src/emulator/org/model.ts';
import { LOCATOR_TTL_MS, LocatorStore } from '../../../../src/emulator/http/rest/locators.ts';

const rows = (n: number): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ i }));

describe('LocatorStore', () => {
  it('pages through a result with one-segment locators and ends with done', () => {
    const store = new LocatorStore(() => 0);
    const first = store.open('005A', rows(450), 200);
    expect(first).toMatchObject({ totalSize: 450, done: false });
    expect(first.locator).toMatch(/^0r8[A-Za-z0-9]{15}-200$/);
    const second = store.next('005A', first.locator ?? '');
    expect(second.records[0]).toEqual({ i: 200 });
    const last = store.next('005A', second.locator ?? '');
    expect(last).toMatchObject({ done: true, totalSize: 450 });
    expect(last.records).toHaveLength(50);
    expect(last.locator).toBeUndefined();
  });

  it('refuses other users, unknown locators and expired cursors with INVALID_QUERY_LOCATOR', () => {
    let now = 0;
    const store = new LocatorStore(() => now);
    const { locator = '' } = store.open('005A', rows(300), 200);
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        return error instanceof ApiError ? error.errorCode : 'other';
      }
      return undefined;
    };
    expect(code(() => store.next('005B', locator))).toBe('INVALID_QUERY_LOCATOR');
    expect(code(() => store.next('005A', '0r8EM0000000001AAA-200'))).toBe('INVALID_QUERY_LOCATOR');
    expect(code(() => store.next('005A', 'garbage'))).toBe('INVALID_QUERY_LOCATOR');
    now = LOCATOR_TTL_MS + 1;
    expect(code(() => store.next('005A', locator))).toBe('INVALID_QUERY_LOCATOR');
  });
});
