import { describe, expect, it } from 'vitest';
import { BUILTIN_DETECTORS, detectAll } from '../../../src/governance/pii/detectors.ts';

const ips = (text: string): string[] =>
  detectAll(text, BUILTIN_DETECTORS)
    .filter((d) => d.type === 'IP_ADDRESS')
    .map((d) => text.slice(d.start, d.end));

describe('dotted section and version numbers without a section word (issue 18)', () => {
  it('keeps small dotted quads pointed at as parts of a document, in many languages', () => {
    for (const text of [
      'See 4.2.1.3 for the escalation matrix.',
      'As described in 10.1.2.3 of the SOW, acceptance is within 10 days.',
      'Siehe 3.2.1.4 der Betriebsanleitung.',
      'Voir 2.4.1.1 du cahier des charges.',
      'Zie 4.1.1.2 van het bestek.',
      'Bkz. 2.2.1.5 şartnamesi.',
      '(cf. 1.2.3.4)',
      'Refer to 6.1.1.2, 6.1.1.3 and 6.1.1.4 in the runbook.',
      'Tested on iOS 17.4.1.2 and Chrome 124.0.6367.91.',
      'Upgrade the agent from 2.10.4.1 to 2.11.0.0 tonight.',
      'Package loom@1.2.3.4 installed.',
      '第3.2.1.1条に従う',
    ])
      expect(ips(text), text).toEqual([]);
  });

  it('still masks addresses: networking words nearby, larger parts, or no document reference', () => {
    expect(ips('Blocked login from 10.1.2.3 after five attempts.')).toEqual(['10.1.2.3']);
    expect(ips('See 10.1.2.3:8080 for the admin console.')).toEqual(['10.1.2.3']);
    expect(ips('Refer to the gateway 4.2.2.2 in the runbook.')).toEqual(['4.2.2.2']);
    expect(ips('See 192.168.40.17 in the logs.')).toEqual(['192.168.40.17']);
    expect(ips('value: 10.1.2.3 end')).toEqual(['10.1.2.3']);
  });
});
