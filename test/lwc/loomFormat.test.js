import { format, sameId, errorText, prettyJson } from 'c/loomFormat';

describe('c/loomFormat', () => {
  it('fills label placeholders in any order and leaves missing values empty', () => {
    expect(format('{1} waits for {0}', 'Ada', 'update_loan')).toBe('update_loan waits for Ada');
    expect(format('{0} h {1} min', 2)).toBe('2 h  min');
  });

  it('compares IDs on their 15-character form only', () => {
    expect(sameId('a01000000000001AAA', 'a01000000000001')).toBe(true);
    expect(sameId('a01000000000001AAA', 'a01000000000002AAA')).toBe(false);
    expect(sameId(undefined, undefined)).toBe(false);
  });

  it('reads Apex, list and plain errors', () => {
    expect(errorText({ body: { message: 'Insufficient access' } })).toBe('Insufficient access');
    expect(errorText({ body: [{ message: 'a' }, { message: 'b' }] })).toBe('a, b');
    expect(errorText(new Error('boom'))).toBe('boom');
  });

  it('pretty-prints JSON and shows other text unchanged', () => {
    expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(prettyJson('not json')).toBe('not json');
    expect(prettyJson(null)).toBe('');
  });
});
