/**
 * Helpers for the tool integration tests: small local HTTP endpoints that record every request, and agents created
 * with capabilities as the admin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Harness } from '../support/runtime.ts';
import { createAgent as createAgentAs } from '../support/runtime.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestEndpoint {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1, random port; `handler` answers each request after its body was read. */
export async function startEndpoint(
  handler: (req: RecordedRequest, res: ServerResponse) => void,
): Promise<TestEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** An active agent with these capabilities (defaults: external, active, Standard), created as the admin. */
export function createAgent(
  harness: Harness,
  name: string,
  capabilities: Array<Record<string, unknown>>,
  options: { safetyMode?: 'Block' | 'Sanitize' | 'LogOnly' } = {},
): Promise<string> {
  return createAgentAs(
    harness,
    name,
    capabilities,
    options.safetyMode ? { PromptSafetyMode__c: options.safetyMode } : {},
  );
}

/** A JSON-schema `Parameters__c` with these string properties, all required. */
export function stringParams(...names: string[]): string {
  return JSON.stringify({
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
    required: names,
    additionalProperties: false,
  });
}
