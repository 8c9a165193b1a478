import { LightningElement, api, wire } from 'lwc';
import { subscribe, unsubscribe, onError } from 'lightning/empApi';
import listAgents from '@salesforce/apex/LoomChatController.listAgents';
import sendMessage from '@salesforce/apex/LoomChatController.sendMessage';
import getConversation from '@salesforce/apex/LoomChatController.getConversation';
import confirmHeldAction from '@salesforce/apex/LoomChatController.confirmHeldAction';
import { format, sameId, errorText, prettyJson } from 'c/loomFormat';

import TITLE from '@salesforce/label/c.Loom_Chat_Title';
import AGENT_LABEL from '@salesforce/label/c.Loom_Chat_AgentPicker';
import AGENT_PLACEHOLDER from '@salesforce/label/c.Loom_Chat_AgentPlaceholder';
import NO_AGENTS from '@salesforce/label/c.Loom_Chat_NoAgents';
import MESSAGE_LABEL from '@salesforce/label/c.Loom_Chat_MessageLabel';
import MESSAGE_PLACEHOLDER from '@salesforce/label/c.Loom_Chat_MessagePlaceholder';
import MESSAGE_REQUIRED from '@salesforce/label/c.Loom_Chat_MessageRequired';
import SEND from '@salesforce/label/c.Loom_Chat_Send';
import YOU from '@salesforce/label/c.Loom_Chat_You';
import AGENT from '@salesforce/label/c.Loom_Chat_Agent';
import EMPTY from '@salesforce/label/c.Loom_Chat_Empty';
import TYPING from '@salesforce/label/c.Loom_Chat_Typing';
import TIMEOUT from '@salesforce/label/c.Loom_Chat_Timeout';
import RETRY from '@salesforce/label/c.Loom_Chat_Retry';
import CONVERSATION from '@salesforce/label/c.Loom_Chat_Conversation';
import HELD_TITLE from '@salesforce/label/c.Loom_Chat_HeldTitle';
import HELD_ARGUMENTS from '@salesforce/label/c.Loom_Chat_HeldArguments';
import CONFIRM from '@salesforce/label/c.Loom_Chat_Confirm';
import CANCEL from '@salesforce/label/c.Loom_Chat_Cancel';
import WAITING_FOR from '@salesforce/label/c.Loom_Chat_WaitingFor';
import WAITING_FOR_ANY from '@salesforce/label/c.Loom_Chat_WaitingForAnyApprover';
import NEW_ANSWER from '@salesforce/label/c.Loom_Chat_NewAnswer';
import STREAMING_UNAVAILABLE from '@salesforce/label/c.Loom_Chat_StreamingUnavailable';

/** The worker publishes one AgentTurnResult__e per finished (or held) turn; it carries IDs and a status only. */
export const RESULT_CHANNEL = '/event/AgentTurnResult__e';
const DEFAULT_TIMEOUT_SECONDS = 120;
/** Execution statuses in which a new turn would be refused (AgentTurnService's busy list). */
const BUSY = new Set(['Pending', 'Processing']);

/**
 * Chat with a Loom agent from a record page, an app page or the utility bar. Messages go through
 * LoomChatController → AgentTurnService (the Flow path); the answer is read back when the AgentTurnResult__e of this
 * user's own execution arrives over lightning/empApi (no polling). Held actions show inline.
 */
export default class LoomAgentChat extends LightningElement {
  /** The record page's ID: sent as the turn's context. */
  @api recordId;
  /** A fixed agent (DeveloperName__c) from the page configuration; empty shows the agent picker. */
  @api agentDeveloperName;
  /** Card title override from the page configuration. */
  @api cardTitle;
  /** Seconds to wait for an answer before offering Retry. */
  @api timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;

  labels = {
    AGENT_LABEL,
    AGENT_PLACEHOLDER,
    NO_AGENTS,
    MESSAGE_LABEL,
    MESSAGE_PLACEHOLDER,
    SEND,
    EMPTY,
    TYPING,
    TIMEOUT,
    RETRY,
    CONVERSATION,
    HELD_ARGUMENTS,
    CONFIRM,
    CANCEL,
    STREAMING_UNAVAILABLE,
  };

  /** idle | sending | waiting | timeout */
  state = 'idle';
  selectedAgent;
  agentOptions = [];
  agentsLoaded = false;
  draft = '';
  messages = [];
  heldActions = [];
  executionId;
  pendingTurn;
  lastMessage;
  errorMessage;
  announcement = '';
  lastAnnouncedId;
  executionStatus;
  streamingUnavailable = false;

  subscription;
  timer;

  @wire(listAgents)
  wiredAgents({ data, error }) {
    if (data) {
      this.agentOptions = data.map((agent) => ({
        label: agent.label,
        value: agent.developerName,
        description: agent.description,
      }));
      this.agentsLoaded = true;
      if (!this.selectedAgent && this.agentOptions.length === 1) {
        this.selectedAgent = this.agentOptions[0].value;
        this.loadConversation();
      }
    } else if (error) {
      this.agentsLoaded = true;
      this.errorMessage = errorText(error);
    }
  }

  connectedCallback() {
    if (this.agentDeveloperName) {
      this.selectedAgent = this.agentDeveloperName;
      this.loadConversation();
    }
    onError(() => {
      this.streamingUnavailable = true;
    });
    subscribe(RESULT_CHANNEL, -1, (message) => this.handleResult(message))
      .then((subscription) => {
        this.subscription = subscription;
      })
      .catch(() => {
        this.streamingUnavailable = true;
      });
  }

  disconnectedCallback() {
    this.stopTimer();
    if (this.subscription) {
      unsubscribe(this.subscription, () => {});
      this.subscription = undefined;
    }
  }

  get title() {
    return this.cardTitle || TITLE;
  }

  get showAgentPicker() {
    return !this.agentDeveloperName && this.agentOptions.length > 1;
  }

  get noAgents() {
    return !this.agentDeveloperName && this.agentsLoaded && this.agentOptions.length === 0;
  }

  get isEmpty() {
    return this.messages.length === 0 && !this.isBusy;
  }

  get isBusy() {
    return this.state === 'sending' || this.state === 'waiting';
  }

  get isTimedOut() {
    return this.state === 'timeout';
  }

  get sendDisabled() {
    return this.isBusy || !this.selectedAgent;
  }

  get messageItems() {
    return this.messages.map((message) => {
      const mine = message.role === 'User';
      return {
        ...message,
        key: message.id,
        author: mine ? YOU : AGENT,
        itemClass: mine
          ? 'slds-chat-listitem slds-chat-listitem_outbound'
          : 'slds-chat-listitem slds-chat-listitem_inbound',
        textClass: mine
          ? 'slds-chat-message__text slds-chat-message__text_outbound'
          : 'slds-chat-message__text slds-chat-message__text_inbound',
      };
    });
  }

  get heldItems() {
    return this.heldActions.map((held) => ({
      ...held,
      heading: format(HELD_TITLE, held.toolName),
      prettyArguments: prettyJson(held.argumentsJson),
      waitingText: held.approverName ? format(WAITING_FOR, held.approverName) : WAITING_FOR_ANY,
    }));
  }

  handleAgentChange(event) {
    this.selectedAgent = event.detail.value;
    this.executionId = undefined;
    this.messages = [];
    this.heldActions = [];
    this.loadConversation();
  }

  handleDraftChange(event) {
    this.draft = event.detail.value;
  }

  handleKeyDown(event) {
    // Enter sends; Shift+Enter keeps a new line.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      this.handleSend();
    }
  }

  async handleSend() {
    const text = (this.draft || '').trim();
    if (!text) {
      this.errorMessage = MESSAGE_REQUIRED;
      return;
    }
    if (this.sendDisabled) return;
    this.draft = '';
    await this.send(text);
  }

  async send(text) {
    this.errorMessage = undefined;
    this.state = 'sending';
    this.lastMessage = text;
    try {
      const sent = await sendMessage({
        agentDeveloperName: this.selectedAgent,
        message: text,
        recordId: this.recordId || null,
        executionId: this.executionId || null,
      });
      this.executionId = sent.executionId;
      this.pendingTurn = sent.turnIdentifier;
      this.messages = [
        ...this.messages,
        { id: sent.messageId, role: 'User', content: text, turnIdentifier: sent.turnIdentifier },
      ];
      this.wait();
    } catch (error) {
      this.state = 'idle';
      this.draft = text;
      this.errorMessage = errorText(error);
    }
  }

  /** The typing state until the result event arrives or the timeout passes. */
  wait() {
    this.state = 'waiting';
    this.stopTimer();
    // A timer is the only way to notice that no event came; it never polls the server.
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.state === 'waiting') this.state = 'timeout';
      },
      Number(this.timeoutSeconds || DEFAULT_TIMEOUT_SECONDS) * 1000,
    );
  }

  stopTimer() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Only results of this user's own conversation matter; every other event is ignored (it carries IDs only). */
  handleResult(message) {
    const payload = message && message.data && message.data.payload;
    if (!payload || !sameId(payload.AgentExecutionId__c, this.executionId)) return;
    this.stopTimer();
    this.loadConversation(true);
  }

  async handleRetry() {
    const answered = await this.loadConversation(true);
    if (answered || !this.lastMessage) return;
    if (BUSY.has(this.executionStatus)) {
      this.wait();
      return;
    }
    await this.send(this.lastMessage);
  }

  async handleConfirm(event) {
    await this.decide(event.currentTarget.dataset.id, true);
  }

  async handleCancel(event) {
    await this.decide(event.currentTarget.dataset.id, false);
  }

  async decide(pendingActionId, confirm) {
    this.errorMessage = undefined;
    try {
      await confirmHeldAction({ pendingActionId, confirm });
      this.heldActions = this.heldActions.filter((held) => held.id !== pendingActionId);
      // The worker resumes the turn and publishes a new result for this execution.
      this.wait();
    } catch (error) {
      this.errorMessage = errorText(error);
    }
  }

  /**
   * Reads the conversation (one Apex call, one query). With announce, a new agent message is read out through the
   * aria-live region. Returns true when the awaited turn has an answer or a held action.
   */
  async loadConversation(announce = false) {
    if (!this.selectedAgent && !this.executionId) return false;
    try {
      const conversation = await getConversation({
        executionId: this.executionId || null,
        agentDeveloperName: this.selectedAgent,
        recordId: this.recordId || null,
      });
      this.executionId = conversation.executionId || this.executionId;
      this.executionStatus = conversation.status;
      this.messages = conversation.messages || [];
      this.heldActions = conversation.heldActions || [];
      // Reopened while a turn is still running (another tab, a reload): wait for its result too.
      if (
        this.state === 'idle' &&
        !this.pendingTurn &&
        BUSY.has(conversation.status) &&
        conversation.currentTurnIdentifier
      ) {
        this.pendingTurn = conversation.currentTurnIdentifier;
        this.wait();
        return false;
      }
      const answered = this.isAnswered(conversation);
      if (answered && (this.state === 'waiting' || this.state === 'timeout')) {
        this.stopTimer();
        this.state = 'idle';
      }
      const latest = this.messages[this.messages.length - 1];
      if (latest && latest.role !== 'User' && latest.id !== this.lastAnnouncedId) {
        this.lastAnnouncedId = latest.id;
        if (announce) this.announcement = format(NEW_ANSWER, latest.content);
      }
      return answered;
    } catch (error) {
      this.errorMessage = errorText(error);
      return false;
    }
  }

  isAnswered(conversation) {
    if (!this.pendingTurn) return true;
    if ((conversation.heldActions || []).some((held) => held.turnIdentifier === this.pendingTurn)) return true;
    const messages = conversation.messages || [];
    const last = messages[messages.length - 1];
    return Boolean(last && last.role !== 'User' && !BUSY.has(conversation.status));
  }
}
