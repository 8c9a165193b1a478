/**
 * The org emulator in its own process (forked by the chaos cluster): provisions the lending agent and a chaos agent
 * whose tool has side effects, reports its URL and dev credentials over IPC, and exits when the parent goes away.
 */
import { provisionLendingAgent, shareAgentWithLoomUsers } from '../../../../src/dev/lending-agent.ts';
import { findDevPrivateKey } from '../../../../src/emulator/http/dev-keys.ts';
import { DEFAULT_SEED_PATH, startEmulator } from '../../../../src/emulator/server.ts';
import { silentLogger } from '../../../../src/logger.ts';
import { ApiMeter } from '../../../../src/salesforce/api-meter.ts';
import { SalesforceClient } from '../../../../src/salesforce/rest-client.ts';
import { SessionPool } from '../../../../src/salesforce/session-pool.ts';
import { CHAOS_AGENT, CHAOS_CAPABILITY } from '../scripts.ts';

// The soak publishes more turns than a base org's 10,000 daily event deliveries: this org has a larger allocation.
const dailyDeliveryLimit = Number(process.env.LOOM_CHAOS_DELIVERY_LIMIT ?? 1_000_000);
const handle = await startEmulator({
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger(),
  cometdTimeoutMs: 1_000,
  dailyDeliveryLimit,
});
const app = handle.org.connectedApps()[0];
const key = app ? findDevPrivateKey(DEFAULT_SEED_PATH, app) : undefined;
if (!app || !key) throw new Error('the default seed has no connected app with a dev key');
handle.admin.setApiLimit(1_000_000_000);
const pool = new SessionPool({
  loginUrl: handle.url,
  clientId: app.consumerKey,
  privateKeyPem: key.pem,
  logger: silentLogger(),
});
const admin = new SalesforceClient('admin@lending.test', {
  pool,
  apiVersion: '62.0',
  meter: new ApiMeter(),
  logger: silentLogger(),
});
const lendingAgentId = await provisionLendingAgent(admin);
const llm = await admin.query<{ Id: string }>(
  "SELECT Id FROM LLMConfiguration__c WHERE DeveloperName__c = 'Lending_Model'",
);
const agent = await admin.create('AIAgentDefinition__c', { ...CHAOS_AGENT, LLMConfiguration__c: llm.records[0]?.Id });
await admin.create('AgentCapability__c', { ...CHAOS_CAPABILITY, AIAgentDefinition__c: agent.id });
await shareAgentWithLoomUsers(admin, agent.id);
// Answer lookups over IPC: the long runs poll often, and a full record dump per poll would grow with the run.
process.on('message', (message: { type?: string; id?: number; keys?: string[] }) => {
  if (message?.type !== 'unanswered' || !Array.isArray(message.keys)) return;
  const answered = new Set(
    handle.admin
      .records('InteractionMessage__c')
      .filter((record) => record.Direction__c === 'Outbound')
      .map((record) => `${String(record.AgentExecution__c)}|${String(record.TurnIdentifier__c)}`),
  );
  process.send?.({
    type: 'unanswered-result',
    id: message.id,
    missing: message.keys.filter((key) => !answered.has(key)),
  });
});
process.send?.({
  type: 'ready',
  url: handle.url,
  pubsubUrl: handle.pubsubUrl,
  consumerKey: app.consumerKey,
  privateKeyPem: key.pem,
  lendingAgentId,
  chaosAgentId: agent.id,
});
const stop = (): void => void handle.close().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
