import { LightningElement, api } from 'lwc';
import getStoryboard from '@salesforce/apex/LoomStoryboardController.getStoryboard';
import { format, errorText, prettyJson } from 'c/loomFormat';

import TITLE from '@salesforce/label/c.Loom_Story_Title';
import STATUS from '@salesforce/label/c.Loom_Story_Status';
import AGENT from '@salesforce/label/c.Loom_Story_Agent';
import REQUESTER from '@salesforce/label/c.Loom_Story_Requester';
import TOKENS from '@salesforce/label/c.Loom_Story_Tokens';
import COST from '@salesforce/label/c.Loom_Story_Cost';
import EMPTY from '@salesforce/label/c.Loom_Story_Empty';
import MODEL_CALL from '@salesforce/label/c.Loom_Story_ModelCall';
import TOOL_CALL from '@salesforce/label/c.Loom_Story_ToolCall';
import SAFETY from '@salesforce/label/c.Loom_Story_Safety';
import APPROVAL from '@salesforce/label/c.Loom_Story_Approval';
import ERROR_KIND from '@salesforce/label/c.Loom_Story_Error';
import MESSAGE from '@salesforce/label/c.Loom_Story_Message';
import DECISION from '@salesforce/label/c.Loom_Story_Decision';
import TOKENS_DETAIL from '@salesforce/label/c.Loom_Story_TokensDetail';
import VERDICT from '@salesforce/label/c.Loom_Story_Verdict';
import RAW_DETAILS from '@salesforce/label/c.Loom_Story_RawDetails';
import TRUNCATED from '@salesforce/label/c.Loom_Story_Truncated';
import REFRESH from '@salesforce/label/c.Loom_Story_Refresh';
import FAILED from '@salesforce/label/c.Loom_Story_Failed';

const KINDS = {
  model: { label: MODEL_CALL, icon: 'utility:einstein' },
  tool: { label: TOOL_CALL, icon: 'utility:apex' },
  safety: { label: SAFETY, icon: 'utility:shield' },
  approval: { label: APPROVAL, icon: 'utility:approval' },
  error: { label: ERROR_KIND, icon: 'utility:error' },
  decision: { label: DECISION, icon: 'utility:routing_offline' },
  message: { label: MESSAGE, icon: 'utility:chat' },
};

/**
 * An execution's steps and agent decisions in order, the way a reviewer reads an incident: model calls with tokens and
 * cost, tool calls with their verdicts, safety detections, approvals. Raw arguments and results appear only when the
 * server returned them, i.e. when field-level security lets the user read them.
 */
export default class LoomExecutionStoryboard extends LightningElement {
  @api recordId;

  labels = { TITLE, STATUS, AGENT, REQUESTER, TOKENS, COST, EMPTY, RAW_DETAILS, TRUNCATED, REFRESH };
  board;
  errorMessage;
  loading = false;

  connectedCallback() {
    this.load();
  }

  async load() {
    if (!this.recordId) return;
    this.loading = true;
    this.errorMessage = undefined;
    try {
      this.board = await getStoryboard({ executionId: this.recordId });
    } catch (error) {
      this.board = undefined;
      this.errorMessage = errorText(error);
    }
    this.loading = false;
  }

  handleRefresh() {
    this.load();
  }

  get hasItems() {
    return Boolean(this.board && this.board.items && this.board.items.length > 0);
  }

  get isEmpty() {
    return Boolean(this.board) && !this.hasItems;
  }

  get items() {
    if (!this.hasItems) return [];
    return this.board.items.map((item, index) => {
      const kind = KINDS[item.kind] || KINDS.message;
      const facts = [];
      if (item.modelIdentifier) facts.push(item.modelIdentifier);
      if (item.totalTokens !== null && item.totalTokens !== undefined) {
        facts.push(format(TOKENS_DETAIL, item.promptTokens ?? 0, item.completionTokens ?? 0));
      }
      if (item.costUsd !== null && item.costUsd !== undefined) facts.push(`$${Number(item.costUsd).toFixed(6)}`);
      if (item.toolName) facts.push(item.toolName);
      if (item.verdict)
        facts.push(`${VERDICT}: ${item.verdict}${item.safetyScore != null ? ` (${item.safetyScore})` : ''}`);
      if (item.errorCategory) facts.push(item.errorCategory);
      if (item.isError && !item.errorCategory) facts.push(FAILED);
      if (item.durationMs !== null && item.durationMs !== undefined) facts.push(`${item.durationMs} ms`);
      const hasRaw = Boolean(item.toolArguments || item.toolResult || item.content);
      return {
        key: item.id || String(index),
        kindLabel: kind.label,
        icon: kind.icon,
        title: item.title && item.title !== item.stepType ? item.title : kind.label,
        stepType: item.stepType,
        facts: facts.join(' · '),
        summary: item.summary || item.rationale,
        itemClass: item.isError
          ? 'slds-timeline__item_expandable slds-text-color_error'
          : 'slds-timeline__item_expandable',
        hasRaw,
        rawArguments: prettyJson(item.toolArguments),
        rawResult: prettyJson(item.toolResult),
        rawContent: item.content,
        kind: item.kind,
      };
    });
  }
}
