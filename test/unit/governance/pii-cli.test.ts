import { describe, expect, it } from 'vitest';
import { captureCli } from '../../support/cli.ts';

// In-process: the command's own code with captured streams (test/unit/governance/soql-guard-cli.test.ts runs a real process).
const run = async (args: string[], input: string) => {
  const result = await captureCli(args, { stdin: input });
  return { status: result.code, stdout: result.stdout, stderr: result.stderr };
};

describe('loom pii-mask', async () => {
  it('writes one JSON object per input line, in order, with restored equal to the input', async () => {
    const lines = [
      'SSN 078-05-1120 and mail ada@example.com',
      '',
      'record 001EM0000000001YAA, literal [SSN:001]',
      'same SSN 078-05-1120 again, card 4111-1111-1111-1111',
    ];
    const result = await run(['pii-mask'], `${lines.join('\n')}\n`);
    expect(result.status).toBe(0);
    const out = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { masked: string; restored: string; entities: unknown[] });
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

  it('documents itself in --help', async () => {
    const result = await run(['pii-mask', '--help'], '');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('one JSON object per line');
  });
});
