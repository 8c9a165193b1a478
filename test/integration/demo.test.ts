/** `npm run demo` as a function: the whole story against the emulator, output captured, beats and exit status checked. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runDemo } from '../../src/demo/run-demo.ts';
import { STORY, UNDERWRITER } from '../../src/demo/story.ts';
import { DEFAULT_SEED_PATH } from '../../src/emulator/server.ts';
import { type FakeLlmServer, openAiCompletion, startFakeOpenAiServer } from '../support/fake-openai-server.ts';

/** The CometD run's output, which the Pub/Sub run below must match line for line. */
let cometdText = '';

describe('loom demo', () => {
  let text = '';
  let code: number;
  beforeAll(async () => {
    code = await runDemo({ out: { write: (chunk: string) => (text += chunk) }, env: {} });
    cometdText = text;
  });

  it('tells the story and exits 0 without network or keys', () => {
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
    expect(text).toMatch(
      /April Approver \(Loan Approver\) approves the pending action \(Loom: Decide Pending Action → AgentHITLService → AgentHITLDecision__e/,
    );
    // People see real values: the approver's decision line carries no PII token, anywhere in the conversation.
    expect(text).toMatch(/decided Approved by April Approver \(approver@lending\.test\): Income verified; approved\./);
    const [conversation = '', audit = ''] = text.split('Audit trail: ExecutionStep__c rows read back');
    expect(conversation).not.toMatch(/\[[A-Z][A-Z0-9_]*:\d{3,}\]/);
    // …while the audit trail shows what the org stores: the token the model saw, not the value.
    expect(audit).toMatch(/LLMResponse +\d+ tokens Application LA-\d+ is in risk tier \[RISK_TIER:\d{3}\]\./);
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
    expect(text).toMatch(
      /^Summary: \d+ turns · \d+ steps · \d+ API calls used \(of 15,000 a day\) · [\d,]+ tokens · estimated cost \$\d/m,
    );
  });

  /** Sequence__c of each execution's audit rows, in the order the trail prints them (ORDER BY Timestamp__c, Sequence__c). */
  function auditSequences(): number[][] {
    const audit = text.split('Audit trail: ExecutionStep__c rows read back')[1] ?? '';
    return audit
      .split(/^Turn \d+ execution /m)
      .slice(1)
      .map((block) => [...block.matchAll(/^ +(\d+) [A-Z]\w+ /gm)].map((match) => Number(match[1])));
  }

  it('prints every execution’s audit rows with their sequence numbers', () => {
    const sequences = auditSequences();
    expect(sequences).toHaveLength(5);
    for (const numbers of sequences) expect(numbers[0]).toBe(1);
    // Turn 4: the held turn, the decision and the resumed turn's rows (17 with the requester's notification).
    expect(sequences[3]?.length).toBe(17);
  });

  // StepCount__c is a roll-up count of ExecutionStep__c: the summary's steps are exactly the rows the trail read back,
  // including the approval flow's decision claim, decision line and notification rows the turn writes never counted.
  it('sums StepCount__c to the number of ExecutionStep__c rows of every execution, the approved one included', () => {
    const rows = [...text.matchAll(/^Turn \d+ execution [A-Za-z0-9]{18} · \S+ · (\d+) steps$/gm)].map((match) =>
      Number(match[1]),
    );
    expect(rows).toHaveLength(5);
    const summary = /^Summary: \d+ turns · ([\d,]+) steps/m.exec(text);
    expect(Number(summary?.[1]?.replace(/,/g, ''))).toBe(rows.reduce((total, n) => total + n, 0));
  });

  // The requester's notification follows the resumed turn's rows, so no sequence is reused (it once reused the
  // resumed turn's first number).
  it('numbers each execution’s steps uniquely and in the order they happened', () => {
    for (const [index, numbers] of auditSequences().entries()) {
      const increasing = numbers.every((n, i) => i === 0 || n > (numbers[i - 1] as number));
      expect(increasing, `turn ${index + 1} step sequences ${numbers.join(', ')} are not unique and increasing`).toBe(
        true,
      );
    }
  });

  it('colours its output when asked', async () => {
    let coloured = '';
    const exit = await runDemo({ out: { write: (chunk: string) => (coloured += chunk) }, env: {}, color: true });
    expect(exit).toBe(0);
    expect(coloured.includes('\u001b[1m')).toBe(true);
  });
});

interface WireMessage {
  role: string;
  content: string | null;
}

describe('loom demo with a real OpenAI-compatible model (LOOM_LLM_BASE_URL + LOOM_LLM_API_KEY)', () => {
  const apiKey = 'sk-loom-demo-test-0123456789';
  let fake: FakeLlmServer;
  let text = '';
  let code: number;
  const messagesOf = (index: number): WireMessage[] =>
    (fake.requests[index]?.body as { messages?: WireMessage[] } | undefined)?.messages ?? [];

  beforeAll(async () => {
    fake = await startFakeOpenAiServer({ apiKey });
    const underwriterTurn = STORY.findIndex((beat) => beat.username === UNDERWRITER);
    for (const [index] of STORY.entries()) {
      // The underwriter (who may read SSN__c) gets one tool call that pulls the applicant's PII into the conversation,
      // so the next request shows whether tool output is masked before a real model sees it.
      if (index === underwriterTurn) {
        fake.enqueue(
          openAiCompletion({
            toolCalls: [
              {
                id: 'call_pii',
                name: 'query_applications',
                arguments: JSON.stringify({
                  query:
                    "SELECT Name, Applicant__r.Name, Applicant__r.Email, Applicant__r.Phone, Applicant__r.SSN__c FROM Loan_Application__c WHERE External_Ref__c = 'HL-1001'",
                }),
              },
            ],
          }),
        );
      }
      fake.enqueue(openAiCompletion({ text: 'Noted.' }));
    }
    // Spare answers: an unexpected extra call gets a failing assertion below rather than the fake's 500 and retries.
    for (let i = 0; i < 10; i++) fake.enqueue(openAiCompletion({ text: 'Noted.' }));
    code = await runDemo({
      out: { write: (chunk: string) => (text += chunk) },
      env: { LOOM_LLM_BASE_URL: fake.url, LOOM_LLM_API_KEY: apiKey },
    });
  });

  afterAll(async () => {
    await fake?.close();
  });

  it('plays the story against the configured endpoint and names it', () => {
    expect(code, text).toBe(0);
    expect(text).not.toMatch(/demo failed/);
    expect(text).not.toMatch(/scripted \(no network, no keys\)/);
    const [, model, endpoint] = /model: (\S+) at (\S+)$/m.exec(text) ?? [];
    expect(endpoint).toBe(fake.url);
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const request of fake.requests) {
      expect(request.path).toBe('/v1/chat/completions');
      expect((request.body as { model?: unknown }).model).toBe(model);
    }
  });

  it('authenticates every model call with the configured key', () => {
    for (const request of fake.requests) expect(request.headers.authorization).toBe(`Bearer ${apiKey}`);
  });

  it('asks the model once per user turn, in story order, and shows people its answers', () => {
    // A turn's first request ends with the user's message; later steps of the turn end with tool results.
    const openers = fake.requests
      .map((_, index) => messagesOf(index).at(-1))
      .filter((message) => message?.role === 'user');
    expect(openers.map((message) => message?.content)).toEqual(STORY.map((beat) => beat.message));
    // One request per plain-text turn plus the underwriter's tool round trip; no spare answer was needed.
    expect(fake.requests).toHaveLength(STORY.length + 1);
    expect(text.match(/^◂ Lending Assistant: Noted\.$/gm)?.length).toBe(STORY.length);
    expect(text).toMatch(/^ {2}tool query_applications \{"query":"SELECT Name, Applicant__r\.Name/m);
    // The model answered the update request in text: nothing was held, and the demo says why.
    expect(text).toMatch(/the model did not call update_application, so nothing was held for approval/);
    expect(text).not.toMatch(/approves the pending action/);
    expect(text).toMatch(/^Summary: 5 turns/m);
  });

  it('masks the seeded applicants’ PII in everything the real model receives', () => {
    const seed = parseYaml(readFileSync(DEFAULT_SEED_PATH, 'utf8')) as {
      records: { Contact: Record<string, unknown>[] };
    };
    const pii = seed.records.Contact.flatMap((contact) => [contact.Email, contact.Phone, contact.SSN__c]).map(String);
    expect(pii.length).toBeGreaterThanOrEqual(18);
    expect(pii).toContain('900-12-3456');
    // The tool result that carried HL-1001's applicant reached the model, as tokens.
    const toolMessages = fake.requests
      .flatMap((_, index) => messagesOf(index))
      .filter((message) => message.role === 'tool');
    expect(toolMessages).toHaveLength(1);
    const toolResult = String(toolMessages[0]?.content);
    expect(toolResult).toMatch(/"Name":"LA-\d+"/);
    expect(toolResult).toMatch(/"Email":"\[EMAIL:\d{3,}\]"/);
    expect(toolResult).toMatch(/"Phone":"\[PHONE:\d{3,}\]"/);
    expect(toolResult).toMatch(/"SSN__c":"\[SSN:\d{3,}\]"/);
    for (const request of fake.requests) {
      for (const value of [
        ...pii,
        ...pii.map((item) => item.replace(/\D/g, '')).filter((digits) => digits.length >= 9),
      ]) {
        expect(request.rawBody, `raw PII ${value} sent to the model`).not.toContain(value);
      }
    }
  });

  it('exits 1 and says so when the model refuses the key', async () => {
    const refusing = await startFakeOpenAiServer({ apiKey });
    try {
      let output = '';
      const exit = await runDemo({
        out: { write: (chunk: string) => (output += chunk) },
        env: { LOOM_LLM_BASE_URL: refusing.url, LOOM_LLM_API_KEY: 'sk-not-the-right-key' },
      });
      expect(exit, output).toBe(1);
      expect(refusing.requests.length).toBeGreaterThanOrEqual(STORY.length);
      expect(output.match(/^ {2}Failed · /gm)?.length).toBe(STORY.length);
      expect(output).toMatch(/the turn failed before the model called update_application/);
      expect(output).toMatch(/^demo failed: 5 of 5 turn\(s\) failed/m);
    } finally {
      await refusing.close();
    }
  });
});

describe('loom demo over the Pub/Sub API', () => {
  /** The story's spoken lines (who says what), without IDs, timestamps and endpoint details. */
  const conversation = (text: string): string[] =>
    (text.split('Audit trail: ExecutionStep__c rows read back')[0] ?? '')
      .split('\n')
      .filter((line) => /^[▸◂]|^\s+(agent|tool|held|decided)/.test(line))
      .map((line) =>
        line
          .replace(/\b[a-zA-Z0-9]{15,18}\b/g, '<id>')
          .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>')
          // The held action's expiry ("expires 2026-12-10 17:21 UTC"): the two runs may straddle a minute.
          .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/g, '<time>'),
      );

  it('plays the same story with turns and decisions arriving over gRPC', async () => {
    const cometd = cometdText;
    let pubsub = '';
    expect(
      await runDemo({ out: { write: (chunk: string) => (pubsub += chunk) }, env: { LOOM_EVENT_API: 'pubsub' } }),
      pubsub,
    ).toBe(0);
    expect(pubsub).toMatch(/events over the Pub\/Sub API/);
    expect(cometd).toMatch(/events over CometD/);
    expect(conversation(pubsub).length).toBeGreaterThan(10);
    expect(conversation(pubsub)).toEqual(conversation(cometd));
  });
});
