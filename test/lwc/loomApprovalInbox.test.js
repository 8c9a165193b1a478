import { createElement } from 'lwc';
import LoomApprovalInbox from 'c/loomApprovalInbox';
import getInbox from '@salesforce/apex/LoomApprovalInboxController.getInbox';
import decide from '@salesforce/apex/LoomApprovalInboxController.decide';

jest.mock('@salesforce/apex/LoomApprovalInboxController.getInbox', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/LoomApprovalInboxController.decide', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/label/c.Loom_Inbox_Minutes', () => ({ default: '{0} min' }), { virtual: true });
jest.mock('@salesforce/label/c.Loom_Inbox_Hours', () => ({ default: '{0} h {1} min' }), { virtual: true });

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const settle = async () => {
  for (let i = 0; i < 5; i++) await flush();
};

const ITEM = {
  id: 'a03000000000001AAA',
  name: 'PA-0001',
  toolName: 'update_loan_status',
  argumentsJson: '{"loanId":"a05000000000042AAA","status":"Approved"}',
  hitlType: 'Approval',
  policyReason: 'Amount over 50,000',
  agentName: 'Loan Assistant',
  requesterName: 'Olive Officer',
  executionId: 'a01000000000001AAA',
  ageMinutes: 135,
  allowEdits: true,
};

function mount(props = {}) {
  const element = createElement('c-loom-approval-inbox', { is: LoomApprovalInbox });
  Object.assign(element, props);
  document.body.appendChild(element);
  return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => Array.from(element.shadowRoot.querySelectorAll(selector));

function change(node, detail) {
  node.dispatchEvent(new CustomEvent('change', { detail }));
}

beforeEach(() => {
  getInbox.mockResolvedValue([
    ITEM,
    { ...ITEM, id: 'a03000000000002AAA', ageMinutes: 7, allowEdits: false, policyReason: null },
  ]);
  decide.mockResolvedValue([{ pendingActionId: ITEM.id, isSuccess: true }]);
});

afterEach(() => {
  while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
  jest.clearAllMocks();
});

describe('c-loom-approval-inbox', () => {
  it('lists the approver’s pending actions with agent, requester, age and arguments', async () => {
    const element = mount();
    await settle();
    expect(getInbox).toHaveBeenCalledWith({ pendingActionId: null });
    const rows = $$(element, '[data-id="inbox-item"]');
    expect(rows).toHaveLength(2);
    expect(rows[0].querySelector('[data-id="agent"]').textContent).toBe('Loan Assistant');
    expect(rows[0].querySelector('[data-id="requester"]').textContent).toBe('Olive Officer');
    expect(rows[0].querySelector('[data-id="age"]').textContent).toBe('2 h 15 min');
    expect(rows[1].querySelector('[data-id="age"]').textContent).toBe('7 min');
    expect(JSON.parse(rows[0].querySelector('[data-id="arguments"]').textContent)).toEqual({
      loanId: 'a05000000000042AAA',
      status: 'Approved',
    });
    // Edits only where the capability allows them.
    expect(rows[0].querySelector('lightning-input')).not.toBeNull();
    expect(rows[1].querySelector('lightning-input')).toBeNull();
  });

  it('approves with a comment through the controller and removes the row', async () => {
    const element = mount();
    const toasts = jest.fn();
    element.addEventListener('lightning__showtoast', toasts);
    await settle();
    change($(element, `lightning-textarea[data-field="comment"][data-id="${ITEM.id}"]`), { value: 'Checked the file' });
    await settle();
    $(element, `lightning-button[data-action="approve"][data-id="${ITEM.id}"]`).click();
    await settle();
    expect(decide).toHaveBeenCalledWith({
      decisions: [
        { pendingActionId: ITEM.id, decision: 'Approve', comment: 'Checked the file', editedArgumentsJson: null },
      ],
    });
    expect($$(element, '[data-id="inbox-item"]')).toHaveLength(1);
    expect(toasts).toHaveBeenCalledTimes(1);
    expect(toasts.mock.calls[0][0].detail.variant).toBe('success');
  });

  it('requires a comment to reject and sends only Reject', async () => {
    const element = mount();
    await settle();
    const reject = $(element, `lightning-button[data-action="reject"][data-id="${ITEM.id}"]`);
    reject.click();
    await settle();
    expect(decide).not.toHaveBeenCalled();
    expect($(element, '[data-id="row-error"]').textContent).toBe('c.Loom_Inbox_CommentRequired');

    change($(element, `lightning-textarea[data-field="comment"][data-id="${ITEM.id}"]`), { value: 'Wrong amount' });
    await settle();
    reject.click();
    await settle();
    expect(decide).toHaveBeenCalledWith({
      decisions: [{ pendingActionId: ITEM.id, decision: 'Reject', comment: 'Wrong amount', editedArgumentsJson: null }],
    });
  });

  it('sends edited arguments as compact JSON and refuses text that is not a JSON object', async () => {
    const element = mount();
    await settle();
    change($(element, `lightning-input[data-id="${ITEM.id}"]`), { checked: true });
    await settle();
    const editor = $(element, `lightning-textarea[data-field="edited"][data-id="${ITEM.id}"]`);
    change(editor, { value: '[1, 2]' });
    await settle();
    $(element, `lightning-button[data-action="approve"][data-id="${ITEM.id}"]`).click();
    await settle();
    expect(decide).not.toHaveBeenCalled();
    expect($(element, '[data-id="row-error"]').textContent).toBe('c.Loom_Inbox_InvalidJson');

    change(editor, { value: '{ "loanId": "a05000000000042AAA", "status": "Approved with conditions" }' });
    await settle();
    $(element, `lightning-button[data-action="approve"][data-id="${ITEM.id}"]`).click();
    await settle();
    expect(decide).toHaveBeenCalledWith({
      decisions: [
        {
          pendingActionId: ITEM.id,
          decision: 'Approve',
          comment: null,
          editedArgumentsJson: '{"loanId":"a05000000000042AAA","status":"Approved with conditions"}',
        },
      ],
    });
  });

  it('keeps the row and shows why when AgentHITLService refuses', async () => {
    decide.mockResolvedValue([
      { pendingActionId: ITEM.id, isSuccess: false, errorMessage: 'This action is assigned to another approver.' },
    ]);
    const element = mount();
    await settle();
    $(element, `lightning-button[data-action="approve"][data-id="${ITEM.id}"]`).click();
    await settle();
    expect($$(element, '[data-id="inbox-item"]')).toHaveLength(2);
    expect($(element, '[data-id="row-error"]').textContent).toBe('This action is assigned to another approver.');
  });

  it('as the quick action shows its one record and closes after the decision', async () => {
    getInbox.mockResolvedValue([ITEM]);
    const element = mount();
    element.recordId = ITEM.id;
    const closed = jest.fn();
    element.addEventListener('close', closed);
    await settle();
    expect(getInbox).toHaveBeenLastCalledWith({ pendingActionId: ITEM.id });
    $(element, `lightning-button[data-action="approve"][data-id="${ITEM.id}"]`).click();
    await settle();
    expect(closed).toHaveBeenCalledTimes(1);
  });

  it('says when nothing waits, and shows load errors', async () => {
    getInbox.mockResolvedValue([]);
    const element = mount();
    await settle();
    expect($(element, '[data-id="empty"]').textContent).toBe('c.Loom_Inbox_Empty');

    getInbox.mockRejectedValue({ body: { message: 'Insufficient privileges' } });
    $(element, 'lightning-button-icon[data-id="refresh"]').click();
    await settle();
    expect($(element, '[data-id="error"]').textContent).toBe('Insufficient privileges');
    expect($(element, '[data-id="empty"]')).toBeNull();
  });
});
