import { describe, expect, it } from 'vitest';
import { tokenFromAuthorization } from '../../../../src/emulator/streaming/auth.ts';
import { cometdVersion } from '../../../../src/emulator/streaming/http-adapter.ts';

describe('tokenFromAuthorization', () => {
  it('accepts the OAuth, Bearer and bare forms', () => {
    expect(tokenFromAuthorization('OAuth 00Dx!abc.def')).toBe('00Dx!abc.def');
    expect(tokenFromAuthorization('Bearer 00Dx!abc')).toBe('00Dx!abc');
    expect(tokenFromAuthorization('bearer   00Dx!abc ')).toBe('00Dx!abc');
    expect(tokenFromAuthorization('00Dx!abc')).toBe('00Dx!abc');
  });

  it('finds no token in empty, scheme-only or multi-word headers', () => {
    for (const header of [undefined, '', '  ', 'Bearer', 'OAuth', 'Basic a b', 'Bearer a b']) {
      expect(tokenFromAuthorization(header)).toBeUndefined();
    }
  });
});

describe('cometdVersion', () => {
  it('extracts the version segment, empty when missing, undefined off the CometD path', () => {
    expect(cometdVersion('/cometd/62.0')).toBe('62.0');
    expect(cometdVersion('/cometd/62.0/')).toBe('62.0');
    expect(cometdVersion('/cometd')).toBe('');
    expect(cometdVersion('/cometd/')).toBe('');
    expect(cometdVersion('/services/data')).toBeUndefined();
  });
});
