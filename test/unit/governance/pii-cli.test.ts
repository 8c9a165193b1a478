import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = (args: string[], input: string) => spawnSync(process.execPath, ['src/bin/loom.js', ...args], { cwd: root, input, encoding: 'utf8' });

describe('loom pii-mask', () => {
  it('writes one JSON object per input line, in order, with restored equal to the input', () => {
    const lines = [
      'SSN 078-05-1120 and mail ada@example.com',
      '',
      'record 001EM0000000001YAA, literal [SSN:001]',
      'same SSN 078-05-1120 again, card 4111-1111-1111-1111',
    ];
    const result = run(['pii-mask'], `${lines.join('\n')}\n`);
    expect(result.status).toBe(0);
    const out = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { masked: string; restored: string; entities: unknown[] });
    expect(out).toHaveLength(lines.length);
    out.forEach((row, i) => expect(row.restored).toBe(lines[i]));
    expect(out[0]).toEqual({
      masked: 'SSN [SSN:001] and mail [EMAIL:001]',
      restored: lines[0],
      entities: [
        { type: 'SSN', token: '[SSN:001]' },
        { type: 'EMAIL', token: '[EMAIL:001]' },
      ],
    });
    expect(out[2]?.masked).toBe('record 001EM0000000001YAA, literal [\\SSN:001]');
    expect(out[3]?.masked).toBe('same SSN [SSN:001] again, card [CREDIT_CARD:001]');
  });

  it('documents itself in --help', () => {
    const result = run(['pii-mask', '--help'], '');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('one JSON object per line');
  });
});
