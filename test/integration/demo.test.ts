/** `npm run demo` as a function: the whole story against the emulator, output captured, beats and exit status checked. */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.ts';

describe('loom demo', () => {
  it('tells the story and exits 0 without network or keys', async () => {
    let text = '';
    const code = await runDemo({ out: { write: (chunk: string) => (text += chunk) }, env: {} });
    expect(code, text).toBe(0);
    // Plain output when not a TTY.
    expect(text.includes('\u001b[')).toBe(false);
    expect(text).toMatch(/model: scripted \(no network, no keys\)/);
    // 1. Governed text-to-SOQL as the officer.
    expect(text).toMatch(/Olive Officer \(Loan Officer\): Which open applications/);
    expect(text).toMatch(/I found 2 matching application\(s\); the largest is LA-\d+ at 150000/);
    // 2. Risk tier refused for the officer, answered for the underwriter.
    expect(text).toMatch(/refused .*SOQL guard/);
    expect(text).toMatch(/your access does not include it/);
    expect(text).toMatch(/Uma Underwriter \(Underwriter\): What is the risk tier/);
    expect(text).toMatch(/is in risk tier B\./);
    // 3. The update never runs without a person's decision.
    expect(text).toMatch(/tool update_application/);
    expect(text).toMatch(/held Approval required/);
    expect(text).toMatch(/Awaiting Action · \d+ steps/);
    expect(text).toMatch(/April Approver \(Loan Approver\) approves the pending action \(AgentHITLDecision__e/);
    expect(text).toMatch(/decided Approved by April Approver/);
    expect(text).toMatch(/Done: the application now asks for Amount__c = 27,500\./);
    expect(text).toMatch(/read back as officer@lending.test: LA-\d+ Amount__c = 27500/);
    // 4. The planted injection is screened.
    expect(text).toMatch(/screened Tool result flagged/);
    expect(text).toMatch(/looks like instructions, so I did not use it/);
    // The audit trail read back from the org, and the summary line.
    expect(text).toMatch(/Audit trail: ExecutionStep__c rows read back/);
    expect(text.match(/^Turn \d+ execution [A-Za-z0-9]{18}/gm)?.length).toBe(5);
    expect(text).toMatch(/^Summary: 6 turns/m);
    expect(text).toMatch(/SafetyCheck .*\[Blocked\]/);
    expect(text).toMatch(/^Summary: \d+ turns · \d+ steps · \d+ API calls used \(of 15,000 a day\) · [\d,]+ tokens · estimated cost \$\d/m);
  });

  it('colours its output when asked', async () => {
    let text = '';
    const code = await runDemo({ out: { write: (chunk: string) => (text += chunk) }, env: {}, color: true });
    expect(code).toBe(0);
    expect(text.includes('\u001b[1m')).toBe(true);
  });
});
