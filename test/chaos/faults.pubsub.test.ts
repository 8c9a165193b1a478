/** The fault run again with every worker on the Pub/Sub API (gRPC) instead of CometD: the same totals must hold. */
process.env.LOOM_TEST_EVENT_API = 'pubsub';
await import('./faults.test.ts');
