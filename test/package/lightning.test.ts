/**
 * The Lightning metadata's cross-references (scripts/sf/checks/lightning-checks.ts): the real package passes, and a
 * copy broken in each way a deployment or a page would fail on is refused with a message naming the problem.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkLightning } from '../../scripts/sf/checks/lightning-checks.ts';
import { formatIssue } from '../../scripts/sf/checks/types.ts';
import { FORCE_APP, workspaceCopy } from './support.ts';

const LIGHTNING = 'force-app/main/lightning';

/** A copy of the package with one file edited; returns the issues' messages. */
function messagesAfter(file: string, edit: (source: string) => string): string[] {
  const dir = workspaceCopy({});
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(path, after);
  return checkLightning(join(dir, 'force-app')).map((issue) => issue.message);
}

describe('Lightning cross-references', () => {
  it('the package passes', () => {
    expect(checkLightning(FORCE_APP).map(formatIssue)).toEqual([]);
  });

  it('refuses a missing custom label and a label no component uses', () => {
    const messages = messagesAfter(`${LIGHTNING}/lwc/loomAgentChat/loomAgentChat.js`, (s) =>
      s.replace("c.Loom_Chat_Retry'", "c.Loom_Chat_Retry_Typo'"),
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'custom label Loom_Chat_Retry_Typo does not exist',
        'custom label Loom_Chat_Retry is not used by any component',
      ]),
    );
  });

  it('refuses an Apex import that is not an @AuraEnabled method, and a controller no permission set grants', () => {
    expect(
      messagesAfter(`${LIGHTNING}/lwc/loomAgentChat/loomAgentChat.js`, (s) =>
        s.replace('LoomChatController.confirmHeldAction', 'LoomChatController.toConversation'),
      ),
    ).toContain('LoomChatController.toConversation is not an @AuraEnabled static method');
    expect(
      messagesAfter('force-app/main/approvals/permissionsets/Loom_Approver.permissionset-meta.xml', (s) =>
        s.replace(
          /\s*<classAccesses>\s*<apexClass>LoomApprovalInboxController<\/apexClass>\s*<enabled>true<\/enabled>\s*<\/classAccesses>/,
          '',
        ),
      ),
    ).toEqual(expect.arrayContaining(['no permission set grants access to LoomApprovalInboxController']));
  });

  it('refuses hard-coded text in templates', () => {
    const messages = messagesAfter(`${LIGHTNING}/lwc/loomApprovalInbox/loomApprovalInbox.html`, (s) =>
      s
        .replace(
          '<h3 class="slds-text-heading_small">{row.toolName}</h3>',
          '<h3 class="slds-text-heading_small">Tool: {row.toolName}</h3>',
        )
        .replace('label={labels.APPROVE}', 'label="Approve"'),
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'hard-coded text "Tool:" (use a custom label)',
        'label="Approve" is hard-coded (bind it to a custom label)',
      ]),
    );
  });

  it('refuses a page component not exposed to the page type or object', () => {
    expect(
      messagesAfter(`${LIGHTNING}/flexipages/Loom_Home.flexipage-meta.xml`, (s) =>
        s.replace(
          '<componentName>loomApprovalInbox</componentName>',
          '<componentName>loomExecutionStoryboard</componentName>',
        ),
      ),
    ).toContain('component loomExecutionStoryboard is not exposed to lightning__AppPage');
    expect(
      messagesAfter(`${LIGHTNING}/lwc/loomExecutionStoryboard/loomExecutionStoryboard.js-meta.xml`, (s) =>
        s.replace('<object>AgentExecution__c</object>', '<object>PendingHITLAction__c</object>'),
      ),
    ).toContain('component loomExecutionStoryboard is not configured for AgentExecution__c');
  });

  it('refuses an app, tab or permission set that names something missing', () => {
    expect(
      messagesAfter(`${LIGHTNING}/applications/Loom.app-meta.xml`, (s) =>
        s.replace('<tabs>Loom_Home</tabs>', '<tabs>Loom_Homepage</tabs>'),
      ),
    ).toContain('tab Loom_Homepage does not exist');
    expect(
      messagesAfter(`${LIGHTNING}/applications/Loom.app-meta.xml`, (s) =>
        s.replace('<content>Loom_Execution_Record_Page</content>', '<content>Loom_Home</content>'),
      ),
    ).toContain('action override Loom_Home is not a record page of AgentExecution__c');
    expect(
      messagesAfter('force-app/main/agent-runtime/permissionsets/Loom_User.permissionset-meta.xml', (s) =>
        s.replace('<tab>InteractionSession__c</tab>', '<tab>InteractionSessions__c</tab>'),
      ),
    ).toContain('tab InteractionSessions__c does not exist');
  });

  it('refuses layouts and list views that name missing fields, and a quick action on the wrong component', () => {
    const layout = `${LIGHTNING}/layouts/AgentExecution__c-Agent Execution Layout.layout-meta.xml`;
    expect(
      messagesAfter(layout, (s) => s.replace('<field>LastError__c</field>', '<field>LastErrors__c</field>')),
    ).toContain('field LastErrors__c is not on AgentExecution__c');
    expect(
      messagesAfter(layout, (s) =>
        s.replace(
          '<relatedList>InteractionMessage__c.AgentExecution__c</relatedList>',
          '<relatedList>InteractionMessage__c.InteractionSession__c</relatedList>',
        ),
      ),
    ).toContain('related list InteractionMessage__c.InteractionSession__c does not point at AgentExecution__c');
    expect(
      messagesAfter(
        'force-app/main/agent-runtime/objects/AgentExecution__c/listViews/Failed_Turns_Today.listView-meta.xml',
        (s) => s.replace('<field>ExecutionStatus__c</field>', '<field>Status__c</field>'),
      ),
    ).toContain('field Status__c is not on AgentExecution__c');
    expect(
      messagesAfter(`${LIGHTNING}/quickActions/PendingHITLAction__c.Loom_Decide.quickAction-meta.xml`, (s) =>
        s.replace('<lightningWebComponent>loomApprovalInbox', '<lightningWebComponent>loomAgentChat'),
      ),
    ).toContain('component loomAgentChat is not a record action for PendingHITLAction__c');
  });
});
