/** One thing a person says to the lending assistant, and what the story wants the audience to notice. */
export interface Beat {
  username: string;
  message: string;
  /** Printed before the turn, dimmed: why this turn is in the demo. */
  note: string;
  /** Continue the previous beat's conversation (same execution). */
  continues?: boolean;
  /** The turn is held for approval when the model calls `tool`; `approver` decides it. */
  approval?: { tool: string; approver: string; decision: 'Approve' | 'Reject'; comment: string };
}

export const OFFICER = 'officer@lending.test';
export const UNDERWRITER = 'underwriter@lending.test';
export const APPROVER = 'approver@lending.test';
export const ADMIN = 'admin@lending.test';

/** The demo story: governed text-to-SOQL, field-level security per user, an approval, and a planted injection. */
export const STORY: Beat[] = [
  {
    username: OFFICER,
    message: 'Which open applications do we have, and what are their amounts?',
    note: 'Text-to-SOQL, governed: the query is parsed, checked against the officer’s access and row-capped, then run as the officer.',
  },
  {
    username: OFFICER,
    message: 'What is the risk tier of HL-1001?',
    note: 'Risk_Tier__c is Confidential and the officer has no field access: the guard refuses before Salesforce is asked.',
  },
  {
    username: UNDERWRITER,
    message: 'What is the risk tier of HL-1001?',
    note: 'Same question from the underwriter, who may read the field: answered (the model only ever sees a token).',
  },
  {
    username: OFFICER,
    message: 'Please raise the amount of HL-1001 to 27,500.',
    note: 'update_application has HITL mode Approval: the runtime holds the call, whatever the model says.',
    approval: {
      tool: 'update_application',
      approver: APPROVER,
      decision: 'Approve',
      comment: 'Income verified; approved.',
    },
  },
  {
    username: OFFICER,
    message: 'Can you summarize application HL-1003 for me?',
    note: 'HL-1003’s Description__c carries a planted prompt injection: tool output is screened before the model sees it.',
  },
];
