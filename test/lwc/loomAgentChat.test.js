import { createElement } from 'lwc';
import LoomAgentChat from 'c/loomAgentChat';
import { subscribe, unsubscribe } from 'lightning/empApi';
import listAgents from '@salesforce/apex/LoomChatController.listAgents';
import sendMessage from '@salesforce/apex/LoomChatController.sendMessage';
import getConversation from '@salesforce/apex/LoomChatController.getConversation';
import confirmHeldAction from '@salesforce/apex/LoomChatController.confirmHeldAction';

// Apex is mocked at the module boundary, as the Salesforce LWC testing docs show; the wired method gets a test adapter.
jest.mock(
  '@salesforce/apex/LoomChatController.listAgents',
  () => {
    const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
    return { default: createApexTestWireAdapter(jest.fn()) };
  },
  { virtual: true },
);
jest.mock('@salesforce/apex/LoomChatController.sendMessage', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/LoomChatController.getConversation', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/LoomChatController.confirmHeldAction', () => ({ default: jest.fn() }), { virtual: true });

// Labels with placeholders get their English text, so the tests see the filled-in sentence.
jest.mock('@salesforce/label/c.Loom_Chat_NewAnswer', () => ({ default: 'New answer from the agent: {0}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Loom_Chat_HeldTitle', () => ({ default: 'The agent wants to run {0}' }), {
  virtual: true,
});
jest.mock('@salesforce/label/c.Loom_Chat_WaitingFor', () => ({ default: 'Waiting for {0} to approve.' }), {
  virtual: true,
});

const EXECUTION_ID = 'a01000000000001AAA';
const RECORD_ID = '001000000000001AAA';

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await flush();
};

/** Captures the empApi callback so a test can deliver AgentTurnResult__e messages. */
let deliver;

function conversation(overrides = {}) {
  return { executionId: null, status: null, currentTurnIdentifier: null, messages: [], heldActions: [], ...overrides };
}

function mount(props = {}) {
  const element = createElement('c-loom-agent-chat', { is: LoomAgentChat });
  Object.assign(element, { agentDeveloperName: 'Loan_Assistant', recordId: RECORD_ID, ...props });
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));

async function type(element, text) {
  const textarea = $(element, 'lightning-textarea');
  textarea.value = text;
  textarea.dispatchEvent(new CustomEvent('change', { detail: { value: text } }));
  await settle();
}

async function clickSend(element) {
  $(element, 'lightning-button[data-id="send"]').click();
  await settle();
}

function result(executionId, status = 'Completed') {
  return { data: { payload: { AgentExecutionId__c: executionId, TurnIdentifier__c: 'turn-1', Status__c: status } } };
}

beforeEach(() => {
  jest.useRealTimers();
  subscribe.mockImplementation((channel, replayId, callback) => {
    deliver = callback;
    return Promise.resolve({ channel });
  });
  getConversation.mockResolvedValue(conversation());
  sendMessage.mockResolvedValue({
    executionId: EXECUTION_ID,
    turnIdentifier: 'turn-1',
    messageId: 'a02000000000001AAA',
  });
});

afterEach(() => {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  jest.clearAllMocks();
});

describe('c-loom-agent-chat', () => {
  it('subscribes to AgentTurnResult__e and loads the history of this record with the fixed agent', async () => {
    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Completed',
        messages: [
          { id: 'm1', role: 'User', content: 'Status of loan 42?' },
          { id: 'm2', role: 'Assistant', content: 'Loan 42 for Jane Doe is approved.' },
        ],
      }),
    );
    const element = mount();
    await settle();

    expect(subscribe).toHaveBeenCalledWith('/event/AgentTurnResult__e', -1, expect.any(Function));
    expect(getConversation).toHaveBeenCalledWith({
      executionId: null,
      agentDeveloperName: 'Loan_Assistant',
      recordId: RECORD_ID,
    });
    const texts = $$(element, '[data-id="message-text"]').map((node) => node.textContent);
    expect(texts).toEqual(['Status of loan 42?', 'Loan 42 for Jane Doe is approved.']);
    expect($(element, 'lightning-combobox')).toBeNull();
  });

  it('offers the agents the user may use when the page fixes none', async () => {
    const element = mount({ agentDeveloperName: undefined });
    listAgents.emit([
      { developerName: 'Loan_Assistant', label: 'Loan Assistant' },
      { developerName: 'Service_Agent', label: 'Service Agent' },
    ]);
    await settle();
    const picker = $(element, 'lightning-combobox');
    expect(picker.options.map((option) => option.value)).toEqual(['Loan_Assistant', 'Service_Agent']);
    expect($(element, 'lightning-button[data-id="send"]').disabled).toBe(true);

    picker.dispatchEvent(new CustomEvent('change', { detail: { value: 'Service_Agent' } }));
    await settle();
    expect(getConversation).toHaveBeenLastCalledWith({
      executionId: null,
      agentDeveloperName: 'Service_Agent',
      recordId: RECORD_ID,
    });
    expect($(element, 'lightning-button[data-id="send"]').disabled).toBe(false);
  });

  it('says so when no agent is available', async () => {
    const element = mount({ agentDeveloperName: undefined });
    listAgents.emit([]);
    await settle();
    expect($(element, '[data-id="no-agents"]').textContent).toBe('c.Loom_Chat_NoAgents');
  });

  it('sends with the record as context, shows the typing state, and answers when the result for its own execution arrives', async () => {
    const element = mount();
    await settle();
    await type(element, 'Approve loan 42');
    await clickSend(element);

    expect(sendMessage).toHaveBeenCalledWith({
      agentDeveloperName: 'Loan_Assistant',
      message: 'Approve loan 42',
      recordId: RECORD_ID,
      executionId: null,
    });
    expect($(element, '[data-id="typing"]')).not.toBeNull();
    expect($(element, 'lightning-button[data-id="send"]').disabled).toBe(true);

    // Another user's result (IDs only) is ignored: no reload, still typing.
    getConversation.mockClear();
    deliver(result('a01000000000999AAA'));
    await settle();
    expect(getConversation).not.toHaveBeenCalled();
    expect($(element, '[data-id="typing"]')).not.toBeNull();

    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Completed',
        messages: [
          { id: 'm1', role: 'User', content: 'Approve loan 42', turnIdentifier: 'turn-1' },
          { id: 'm2', role: 'Assistant', content: 'Done: loan 42 is approved.', turnIdentifier: 'turn-1' },
        ],
      }),
    );
    // The 15-character form of the same ID matches too.
    deliver(result(EXECUTION_ID.slice(0, 15)));
    await settle();

    expect(getConversation).toHaveBeenCalledWith({
      executionId: EXECUTION_ID,
      agentDeveloperName: 'Loan_Assistant',
      recordId: RECORD_ID,
    });
    expect($(element, '[data-id="typing"]')).toBeNull();
    expect($$(element, '[data-id="message-text"]').map((node) => node.textContent)).toContain(
      'Done: loan 42 is approved.',
    );
    const live = $(element, '[data-id="live"]');
    expect(live.getAttribute('aria-live')).toBe('polite');
    expect(live.textContent).toBe('New answer from the agent: Done: loan 42 is approved.');
  });

  it('shows the refusal AgentTurnService gives and keeps the draft', async () => {
    sendMessage.mockRejectedValue({
      body: { message: 'Loom agents are disabled in this org (Loom Settings: Agents Disabled).' },
    });
    const element = mount();
    await settle();
    await type(element, 'hello');
    await clickSend(element);
    expect($(element, '[data-id="error"]').textContent).toContain('Agents Disabled');
    expect($(element, 'lightning-textarea').value).toBe('hello');
    expect($(element, '[data-id="typing"]')).toBeNull();
  });

  it('refuses to send an empty message', async () => {
    const element = mount();
    await settle();
    await clickSend(element);
    expect(sendMessage).not.toHaveBeenCalled();
    expect($(element, '[data-id="error"]').textContent).toBe('c.Loom_Chat_MessageRequired');
  });

  it('times out with a message and retries: the answer that arrived meanwhile is shown without sending again', async () => {
    jest.useFakeTimers();
    const element = mount({ timeoutSeconds: 30 });
    await Promise.resolve();
    await jest.runOnlyPendingTimersAsync();
    await type_(element, 'Approve loan 42');
    $(element, 'lightning-button[data-id="send"]').click();
    for (let i = 0; i < 5; i++) await Promise.resolve();

    await jest.advanceTimersByTimeAsync(29_000);
    expect($(element, '[data-id="timeout"]')).toBeNull();
    await jest.advanceTimersByTimeAsync(1_000);
    expect($(element, '[data-id="timeout"]')).not.toBeNull();
    expect($(element, '[data-id="typing"]')).toBeNull();

    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Completed',
        messages: [
          { id: 'm1', role: 'User', content: 'Approve loan 42' },
          { id: 'm2', role: 'Assistant', content: 'Done.' },
        ],
      }),
    );
    $(element, 'lightning-button[data-id="retry"]').click();
    await jest.runOnlyPendingTimersAsync();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(sendMessage).toHaveBeenCalledTimes(1);
    expect($(element, '[data-id="timeout"]')).toBeNull();
    expect($$(element, '[data-id="message-text"]').map((node) => node.textContent)).toContain('Done.');
  });

  it('retries by sending again when the turn failed without an answer', async () => {
    jest.useFakeTimers();
    const element = mount({ timeoutSeconds: 10 });
    await jest.runOnlyPendingTimersAsync();
    await type_(element, 'Approve loan 42');
    $(element, 'lightning-button[data-id="send"]').click();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await jest.advanceTimersByTimeAsync(10_000);
    expect($(element, '[data-id="timeout"]')).not.toBeNull();

    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Failed',
        messages: [{ id: 'm1', role: 'User', content: 'Approve loan 42' }],
      }),
    );
    $(element, 'lightning-button[data-id="retry"]').click();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(sendMessage).toHaveBeenCalledTimes(2);
    expect(sendMessage).toHaveBeenLastCalledWith({
      agentDeveloperName: 'Loan_Assistant',
      message: 'Approve loan 42',
      recordId: RECORD_ID,
      executionId: EXECUTION_ID,
    });
    expect($(element, '[data-id="typing"]')).not.toBeNull();
  });

  it('shows a held action with Confirm / Cancel for the requester and waits for the resumed turn after Confirm', async () => {
    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Awaiting Action',
        messages: [{ id: 'm1', role: 'Assistant', content: 'I need your confirmation to update loan 42.' }],
        heldActions: [
          {
            id: 'a03000000000001AAA',
            toolName: 'update_loan_status',
            argumentsJson: '{"loanId":"a05000000000042AAA","status":"Approved"}',
            hitlType: 'Confirmation',
            status: 'Pending',
            awaitsMyConfirmation: true,
          },
        ],
      }),
    );
    confirmHeldAction.mockResolvedValue(undefined);
    const element = mount();
    await settle();

    const card = $(element, '[data-id="held-action"]');
    expect(card.querySelector('h3').textContent).toBe('The agent wants to run update_loan_status');
    expect(JSON.parse(card.querySelector('[data-id="held-arguments"]').textContent)).toEqual({
      loanId: 'a05000000000042AAA',
      status: 'Approved',
    });
    expect(card.querySelector('[data-id="waiting-for"]')).toBeNull();

    card.querySelector('lightning-button[data-action="confirm"]').click();
    await settle();
    expect(confirmHeldAction).toHaveBeenCalledWith({ pendingActionId: 'a03000000000001AAA', confirm: true });
    expect($(element, '[data-id="held-action"]')).toBeNull();
    expect($(element, '[data-id="typing"]')).not.toBeNull();
  });

  it('cancels a held action with confirm=false and shows a refusal', async () => {
    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Awaiting Action',
        heldActions: [
          {
            id: 'a03000000000001AAA',
            toolName: 'send_email',
            argumentsJson: '{}',
            hitlType: 'Confirmation',
            status: 'Pending',
            awaitsMyConfirmation: true,
          },
        ],
      }),
    );
    confirmHeldAction.mockRejectedValue({ body: { message: 'Pending action a03000000000001AAA has expired.' } });
    const element = mount();
    await settle();
    $(element, 'lightning-button[data-action="cancel"]').click();
    await settle();
    expect(confirmHeldAction).toHaveBeenCalledWith({ pendingActionId: 'a03000000000001AAA', confirm: false });
    expect($(element, '[data-id="error"]').textContent).toContain('has expired');
    expect($(element, '[data-id="held-action"]')).not.toBeNull();
  });

  it('says who was asked for Approval modes, with no buttons for the requester', async () => {
    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Awaiting Action',
        heldActions: [
          {
            id: 'h1',
            toolName: 'update_loan_status',
            argumentsJson: '{}',
            hitlType: 'Approval',
            status: 'Pending',
            approverName: 'Ada Approver',
            awaitsMyConfirmation: false,
          },
          {
            id: 'h2',
            toolName: 'close_case',
            argumentsJson: '{}',
            hitlType: 'ConditionalApproval',
            status: 'Pending',
            awaitsMyConfirmation: false,
          },
        ],
      }),
    );
    const element = mount();
    await settle();
    const waiting = $$(element, '[data-id="waiting-for"]').map((node) => node.textContent);
    expect(waiting).toEqual(['Waiting for Ada Approver to approve.', 'c.Loom_Chat_WaitingForAnyApprover']);
    expect($$(element, 'lightning-button[data-action]')).toHaveLength(0);
  });

  it('tells the user when live answers are unavailable and unsubscribes when removed', async () => {
    subscribe.mockRejectedValue(new Error('streaming off'));
    const element = mount();
    await settle();
    expect($(element, '[data-id="streaming"]')).not.toBeNull();

    subscribe.mockImplementation((channel, replayId, callback) => {
      deliver = callback;
      return Promise.resolve({ channel });
    });
    const other = mount();
    await settle();
    document.body.removeChild(other);
    expect(unsubscribe).toHaveBeenCalledWith({ channel: '/event/AgentTurnResult__e' }, expect.any(Function));
  });

  it('reopened while a turn is still running, it shows the typing state and answers when the result of that turn arrives', async () => {
    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Processing',
        currentTurnIdentifier: 'turn-7',
        messages: [{ id: 'm1', role: 'User', content: 'Still there?', turnIdentifier: 'turn-7' }],
      }),
    );
    const element = mount();
    await settle();
    expect($(element, '[data-id="typing"]')).not.toBeNull();

    getConversation.mockResolvedValue(
      conversation({
        executionId: EXECUTION_ID,
        status: 'Completed',
        messages: [
          { id: 'm1', role: 'User', content: 'Still there?', turnIdentifier: 'turn-7' },
          { id: 'm2', role: 'Assistant', content: 'Yes.', turnIdentifier: 'turn-7' },
        ],
      }),
    );
    deliver(result(EXECUTION_ID));
    await settle();
    expect($(element, '[data-id="typing"]')).toBeNull();
    expect($(element, '[data-id="live"]').textContent).toBe('New answer from the agent: Yes.');
  });

  it('sends with Enter but not with Shift+Enter', async () => {
    const element = mount();
    await settle();
    await type(element, 'first line');
    const textarea = $(element, 'lightning-textarea');
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true }));
    await settle();
    expect(sendMessage).not.toHaveBeenCalled();
    textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await settle();
    expect(sendMessage).toHaveBeenCalledTimes(1);
  });
});

/** type() for fake-timer tests: no setTimeout-based settling. */
async function type_(element, text) {
  const textarea = $(element, 'lightning-textarea');
  textarea.dispatchEvent(new CustomEvent('change', { detail: { value: text } }));
  for (let i = 0; i < 3; i++) await Promise.resolve();
}
