import { createElement } from 'lwc';
import LoomExecutionStoryboard from 'c/loomExecutionStoryboard';
import getStoryboard from '@salesforce/apex/LoomStoryboardController.getStoryboard';

jest.mock('@salesforce/apex/LoomStoryboardController.getStoryboard', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/label/c.Loom_Story_TokensDetail', () => ({ default: '{0} prompt + {1} completion tokens' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Loom_Story_Verdict', () => ({ default: 'Verdict' }), { virtual: true });

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await flush();
};

const BOARD = {
  executionId: 'a01000000000001AAA',
  name: 'EX-0001',
  status: 'Completed',
  agentName: 'Loan Assistant',
  requesterName: 'Olive Officer',
  totalTokens: 1480,
  totalCostUsd: 0.0004,
  showsRawDetails: true,
  truncated: false,
  items: [
    {
      id: 's1',
      kind: 'safety',
      stepType: 'SafetyCheck',
      title: 'SafetyCheck',
      verdict: 'Flagged',
      safetyScore: 0.72,
      isError: false,
    },
    {
      id: 's2',
      kind: 'model',
      stepType: 'LLMResponse',
      title: 'LLMResponse',
      modelIdentifier: 'gpt-4o-mini',
      promptTokens: 1200,
      completionTokens: 80,
      totalTokens: 1280,
      costUsd: 0.0002,
      durationMs: 850,
      isError: false,
    },
    {
      id: 's3',
      kind: 'tool',
      stepType: 'ToolCall',
      title: 'ToolCall',
      toolName: 'update_loan_status',
      toolArguments: '{"status":"Approved"}',
      isError: false,
    },
    {
      id: 'd1',
      kind: 'decision',
      stepType: 'ToolCall',
      title: 'Update the loan',
      summary: 'The officer asked to approve loan 42.',
      isError: false,
    },
    {
      id: 's4',
      kind: 'approval',
      stepType: 'Approval',
      title: 'Approval',
      content: 'Approval requested from user ada@acme.example.',
      isError: false,
    },
    { id: 's5', kind: 'error', stepType: 'Error', title: 'Error', errorCategory: 'Timeout', isError: true },
  ],
};

function mount() {
  const element = createElement('c-loom-execution-storyboard', { is: LoomExecutionStoryboard });
  element.recordId = BOARD.executionId;
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));

afterEach(() => {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  jest.clearAllMocks();
});

describe('c-loom-execution-storyboard', () => {
  it('tells the story in the order the server gives, with tokens, cost, verdicts and decisions', async () => {
    getStoryboard.mockResolvedValue(BOARD);
    const element = mount();
    await settle();
    expect(getStoryboard).toHaveBeenCalledWith({ executionId: BOARD.executionId });
    const items = $$(element, '[data-id="story-item"]');
    expect(items.map((node) => node.dataset.kind)).toEqual([
      'safety',
      'model',
      'tool',
      'decision',
      'approval',
      'error',
    ]);
    const facts = items.map((node) => node.querySelector('[data-id="story-facts"]').textContent);
    expect(facts[0]).toBe('Verdict: Flagged (0.72)');
    expect(facts[1]).toBe('gpt-4o-mini · 1200 prompt + 80 completion tokens · $0.000200 · 850 ms');
    expect(facts[2]).toBe('update_loan_status');
    expect(facts[5]).toBe('Timeout');
    expect(items[3].querySelector('[data-id="story-title"]').textContent).toBe('Update the loan');
    expect(items[5].className).toContain('slds-text-color_error');
    expect($(element, '[data-id="status"]').textContent).toBe('Completed');
    expect($(element, '[data-id="tokens"]').textContent).toBe('1480');
  });

  it('shows raw arguments only when the server returned them (field-level security decides)', async () => {
    getStoryboard.mockResolvedValue(BOARD);
    const element = mount();
    await settle();
    expect($$(element, '[data-id="raw"]')).toHaveLength(2);

    const restricted = {
      ...BOARD,
      showsRawDetails: false,
      items: BOARD.items.map(({ toolArguments: _arguments, toolResult: _result, content: _content, ...rest }) => rest),
    };
    getStoryboard.mockResolvedValue(restricted);
    $(element, 'lightning-button-icon[data-id="refresh"]').click();
    await settle();
    expect($$(element, '[data-id="raw"]')).toHaveLength(0);
  });

  it('shows an empty state and the sharing error', async () => {
    getStoryboard.mockResolvedValue({ ...BOARD, items: [] });
    const element = mount();
    await settle();
    expect($(element, '[data-id="empty"]')).not.toBeNull();

    getStoryboard.mockRejectedValue({
      body: { message: 'Execution a01000000000001AAA was not found or is not shared with you.' },
    });
    $(element, 'lightning-button-icon[data-id="refresh"]').click();
    await settle();
    expect($(element, '[data-id="error"]').textContent).toContain('not shared with you');
    expect($$(element, '[data-id="story-item"]')).toHaveLength(0);
  });

  it('says when the story is cut short', async () => {
    getStoryboard.mockResolvedValue({ ...BOARD, truncated: true });
    const element = mount();
    await settle();
    expect($(element, '[data-id="truncated"]')).not.toBeNull();
  });
});
