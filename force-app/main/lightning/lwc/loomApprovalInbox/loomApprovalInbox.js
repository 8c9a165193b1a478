import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import { CloseActionScreenEvent } from 'lightning/actions';
import getInbox from '@salesforce/apex/LoomApprovalInboxController.getInbox';
import decide from '@salesforce/apex/LoomApprovalInboxController.decide';
import { format, errorText, prettyJson } from 'c/loomFormat';

import TITLE from '@salesforce/label/c.Loom_Inbox_Title';
import EMPTY from '@salesforce/label/c.Loom_Inbox_Empty';
import AGENT from '@salesforce/label/c.Loom_Inbox_Agent';
import REQUESTER from '@salesforce/label/c.Loom_Inbox_Requester';
import AGE from '@salesforce/label/c.Loom_Inbox_Age';
import MINUTES from '@salesforce/label/c.Loom_Inbox_Minutes';
import HOURS from '@salesforce/label/c.Loom_Inbox_Hours';
import REASON from '@salesforce/label/c.Loom_Inbox_Reason';
import ARGUMENTS from '@salesforce/label/c.Loom_Inbox_Arguments';
import EDIT_ARGUMENTS from '@salesforce/label/c.Loom_Inbox_EditArguments';
import EDITED_ARGUMENTS from '@salesforce/label/c.Loom_Inbox_EditedArguments';
import INVALID_JSON from '@salesforce/label/c.Loom_Inbox_InvalidJson';
import COMMENT from '@salesforce/label/c.Loom_Inbox_Comment';
import COMMENT_REQUIRED from '@salesforce/label/c.Loom_Inbox_CommentRequired';
import APPROVE from '@salesforce/label/c.Loom_Inbox_Approve';
import REJECT from '@salesforce/label/c.Loom_Inbox_Reject';
import APPROVED from '@salesforce/label/c.Loom_Inbox_Approved';
import REJECTED from '@salesforce/label/c.Loom_Inbox_Rejected';
import OPEN_EXECUTION from '@salesforce/label/c.Loom_Inbox_OpenExecution';
import REFRESH from '@salesforce/label/c.Loom_Inbox_Refresh';
import NOT_WAITING from '@salesforce/label/c.Loom_Inbox_NotWaiting';

/**
 * The approver's pending actions (age, agent, requester, arguments) with Approve / Reject and, where the capability
 * allows it, edited arguments. Decisions go through LoomApprovalInboxController to AgentHITLService only. As the
 * quick action on PendingHITLAction__c it shows that one record and closes after the decision.
 */
export default class LoomApprovalInbox extends LightningElement {
  /**
   * Set on a PendingHITLAction__c record page or quick action: only that action is shown. A screen quick action may
   * set it after connectedCallback, so the setter loads again.
   */
  @api
  get recordId() {
    return this.actionId;
  }
  set recordId(value) {
    this.actionId = value;
    if (this.connected) this.load();
  }
  /** Card title override from the page configuration. */
  @api cardTitle;

  labels = {
    EMPTY,
    AGENT,
    REQUESTER,
    AGE,
    REASON,
    ARGUMENTS,
    EDIT_ARGUMENTS,
    EDITED_ARGUMENTS,
    COMMENT,
    APPROVE,
    REJECT,
    OPEN_EXECUTION,
    REFRESH,
  };

  actionId;
  connected = false;
  /** Only the latest load's answer is kept (a record ID set after connect starts a second load). */
  ticket = 0;
  items = [];
  loaded = false;
  errorMessage;
  /** Per action: { comment, edited, editing, error, busy }. */
  drafts = {};

  connectedCallback() {
    this.connected = true;
    this.load();
  }

  get title() {
    return this.cardTitle || TITLE;
  }

  get isEmpty() {
    return this.loaded && this.items.length === 0 && !this.errorMessage;
  }

  get emptyText() {
    return this.actionId ? NOT_WAITING : EMPTY;
  }

  get rows() {
    return this.items.map((item) => {
      const draft = this.drafts[item.id] || {};
      return {
        ...item,
        age: this.ageText(item.ageMinutes),
        prettyArguments: prettyJson(item.argumentsJson),
        executionUrl: item.executionId ? `/lightning/r/AgentExecution__c/${item.executionId}/view` : null,
        comment: draft.comment || '',
        editing: Boolean(draft.editing),
        edited: draft.edited === undefined ? prettyJson(item.argumentsJson) : draft.edited,
        error: draft.error,
        busy: Boolean(draft.busy),
      };
    });
  }

  ageText(minutes) {
    if (minutes === null || minutes === undefined) return '';
    if (minutes < 60) return format(MINUTES, minutes);
    return format(HOURS, Math.floor(minutes / 60), minutes % 60);
  }

  async load() {
    const ticket = ++this.ticket;
    let items = [];
    let failure;
    try {
      items = await getInbox({ pendingActionId: this.actionId || null });
    } catch (error) {
      failure = errorText(error);
    }
    if (ticket !== this.ticket) return;
    this.items = items;
    this.errorMessage = failure;
    this.loaded = true;
  }

  handleRefresh() {
    this.load();
  }

  setDraft(id, change) {
    this.drafts = { ...this.drafts, [id]: { ...(this.drafts[id] || {}), ...change } };
  }

  handleComment(event) {
    this.setDraft(event.target.dataset.id, { comment: event.detail.value, error: undefined });
  }

  handleEditToggle(event) {
    this.setDraft(event.target.dataset.id, { editing: event.detail.checked });
  }

  handleEdited(event) {
    this.setDraft(event.target.dataset.id, { edited: event.detail.value, error: undefined });
  }

  handleApprove(event) {
    this.submit(event.target.dataset.id, 'Approve');
  }

  handleReject(event) {
    this.submit(event.target.dataset.id, 'Reject');
  }

  async submit(id, decision) {
    const item = this.items.find((row) => row.id === id);
    if (!item) return;
    const draft = this.drafts[id] || {};
    const comment = (draft.comment || '').trim();
    if (decision === 'Reject' && !comment) {
      this.setDraft(id, { error: COMMENT_REQUIRED });
      return;
    }
    let editedArgumentsJson = null;
    if (decision === 'Approve' && item.allowEdits && draft.editing && draft.edited !== undefined) {
      editedArgumentsJson = this.editedJson(draft.edited);
      if (editedArgumentsJson === undefined) {
        this.setDraft(id, { error: INVALID_JSON });
        return;
      }
    }
    this.setDraft(id, { busy: true, error: undefined });
    try {
      const [outcome] = await decide({
        decisions: [{ pendingActionId: id, decision, comment: comment || null, editedArgumentsJson }],
      });
      if (!outcome.isSuccess) {
        this.setDraft(id, { busy: false, error: outcome.errorMessage });
        return;
      }
      this.items = this.items.filter((row) => row.id !== id);
      this.dispatchEvent(
        new ShowToastEvent({ title: decision === 'Approve' ? APPROVED : REJECTED, variant: 'success' }),
      );
      if (this.actionId) this.dispatchEvent(new CloseActionScreenEvent());
    } catch (error) {
      this.setDraft(id, { busy: false, error: errorText(error) });
    }
  }

  /** Canonical JSON of an edited object, or undefined when the text is not a JSON object. */
  editedJson(text) {
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      return JSON.stringify(value);
    } catch {
      return undefined;
    }
  }
}
