/** The embedded ingestion suite again, with the worker on the Pub/Sub API (gRPC) instead of CometD. */
process.env.LOOM_TEST_EVENT_API = 'pubsub';
await import('./ingestion-embedded.test.ts');
