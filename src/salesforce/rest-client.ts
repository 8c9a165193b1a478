import jsforce from 'jsforce';
import { LoomError, PermanentError, TransientError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ApiMeter } from './api-meter.ts';
import type { SessionPool, UserSession } from './session-pool.ts';

type Connection = InstanceType<typeof jsforce.Connection>;

/** A refusal or failure reported by Salesforce, with its error code (`INVALID_FIELD`, `INSUFFICIENT_ACCESS…`). */
export class SalesforceError extends LoomError {
  constructor(
    message: string,
    readonly errorCode: string,
    options: { retryable: boolean; fields?: string[]; category?: string },
  ) {
    super(message, { category: options.category ?? categoryFor(errorCode), retryable: options.retryable });
    this.fields = options.fields ?? [];
  }
  readonly fields: string[];
}

/** The daily API allocation is spent: pause intake and retry much later. */
export class AllocationExhaustedError extends TransientError {
  constructor(message: string) {
    super(message, { category: 'ApiLimit' });
  }
}

const TRANSIENT_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_RUNNING_TOO_LONG',
  'QUERY_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function categoryFor(errorCode: string): string {
  if (errorCode === 'INVALID_FIELD' || errorCode === 'INVALID_TYPE' || errorCode.startsWith('INSUFFICIENT_ACCESS')) {
    return 'PermissionDenied';
  }
  if (errorCode === 'INVALID_SESSION_ID') return 'AuthFailed';
  if (TRANSIENT_CODES.has(errorCode) || errorCode.startsWith('ERROR_HTTP_5')) return 'SalesforceUnavailable';
  return 'SalesforceError';
}

/** Maps whatever jsforce or the network threw to a typed Loom error that decides retries. */
export function toSalesforceError(error: unknown): LoomError {
  if (error instanceof LoomError) return error;
  const err = error as { errorCode?: string; code?: string; message?: string; data?: { fields?: string[] } };
  const code = err.errorCode ?? err.code ?? 'UNKNOWN';
  const message = err.message ?? String(error);
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new AllocationExhaustedError(message);
  const retryable =
    TRANSIENT_CODES.has(code) ||
    code.startsWith('ERROR_HTTP_5') ||
    /socket hang up|fetch failed|network/i.test(message);
  return new SalesforceError(message, code, { retryable, ...(err.data?.fields ? { fields: err.data.fields } : {}) });
}

/** Request header naming the turn a request works for. */
export const TURN_HEADER = 'X-Loom-Turn';

export interface RequestOptions {
  headers?: Record<string, string>;
}

/**
 * REST access as ONE Salesforce user. Every call is made with that user's own session, so the org applies
 * CRUD, FLS and sharing. jsforce's own retries are disabled: the job layer owns the single retry policy.
 */
export class SalesforceClient {
  private connection: Connection | undefined;
  private session: UserSession | undefined;

  constructor(
    readonly username: string,
    private readonly deps: { pool: SessionPool; apiVersion: string; meter: ApiMeter; logger: Logger },
  ) {}

  get apiVersion(): string {
    return this.deps.apiVersion;
  }

  /** The user's ID (from the identity URL of their session). */
  async userId(): Promise<string> {
    return (await this.ensureSession()).userId;
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const conn = await this.ensureConnection();
    const session = this.session as UserSession;
    const url = path.startsWith('/services/') ? path : `/services/data/v${this.deps.apiVersion}${path}`;
    const headers: Record<string, string> = { ...options.headers };
    // Correlates each request with the turn it serves (Salesforce ignores unknown headers; the emulator logs it, so
    // tests can prove every business request of a turn used that turn's requesting user's own token).
    const turnId = this.deps.meter.currentTurn();
    if (turnId) headers[TURN_HEADER] = turnId;
    const request: { method: typeof method; url: string; headers: Record<string, string>; body?: string } = {
      method,
      url,
      headers,
    };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      request.body = JSON.stringify(body);
    }
    this.deps.meter.record(session.userId);
    try {
      const result = (await conn.request(request, { retry: { maxRetries: 0 } } as never)) as T;
      this.deps.meter.observeLimitInfo(conn.limitInfo?.apiUsage);
      return result;
    } catch (error) {
      this.deps.meter.observeLimitInfo(conn.limitInfo?.apiUsage);
      throw toSalesforceError(error);
    }
  }

  async query<T = Record<string, unknown>>(
    soql: string,
    options: { maxRecords?: number; all?: boolean } = {},
  ): Promise<{ totalSize: number; records: T[] }> {
    const maxRecords = options.maxRecords ?? 2000;
    const resource = options.all ? 'queryAll' : 'query';
    let page = await this.request<QueryPage<T>>('GET', `/${resource}?q=${encodeURIComponent(soql)}`);
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl && records.length < maxRecords) {
      page = await this.request<QueryPage<T>>('GET', page.nextRecordsUrl);
      records.push(...page.records);
    }
    return { totalSize: page.totalSize, records: records.slice(0, maxRecords) };
  }

  async describe(objectName: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/sobjects/${encodeURIComponent(objectName)}/describe`);
  }

  async create(objectName: string, fields: Record<string, unknown>): Promise<{ id: string }> {
    return this.request('POST', `/sobjects/${encodeURIComponent(objectName)}`, fields);
  }

  async update(objectName: string, id: string, fields: Record<string, unknown>): Promise<void> {
    await this.request('PATCH', `/sobjects/${encodeURIComponent(objectName)}/${encodeURIComponent(id)}`, fields);
  }

  /** `PATCH /composite/sobjects/{Type}/{ExtIdField}`: up to 200 upserts in one API call, results in order. */
  async upsertMany(
    objectName: string,
    externalIdField: string,
    records: Array<Record<string, unknown>>,
    allOrNone = false,
  ): Promise<CollectionResult[]> {
    if (records.length > 200) throw new PermanentError('sObject Collections take at most 200 records per call');
    const body = { allOrNone, records: records.map((record) => ({ attributes: { type: objectName }, ...record })) };
    return this.request(
      'PATCH',
      `/composite/sobjects/${encodeURIComponent(objectName)}/${encodeURIComponent(externalIdField)}`,
      body,
    );
  }

  /** `PATCH /composite/sobjects`: update up to 200 records (each with Id) in one call. */
  async updateMany(
    objectName: string,
    records: Array<Record<string, unknown>>,
    allOrNone = false,
  ): Promise<CollectionResult[]> {
    const body = { allOrNone, records: records.map((record) => ({ attributes: { type: objectName }, ...record })) };
    return this.request('PATCH', '/composite/sobjects', body);
  }

  /** Publishes a platform event through REST; Salesforce answers 201 with OPERATION_ENQUEUED carrying the event UUID. */
  async publish(eventName: string, fields: Record<string, unknown>): Promise<{ id: string }> {
    return this.request('POST', `/sobjects/${encodeURIComponent(eventName)}`, fields);
  }

  private async ensureSession(): Promise<UserSession> {
    this.session ??= await this.deps.pool.session(this.username);
    return this.session;
  }

  private async ensureConnection(): Promise<Connection> {
    if (this.connection) return this.connection;
    const session = await this.ensureSession();
    this.connection = new jsforce.Connection({
      instanceUrl: session.instanceUrl,
      accessToken: session.accessToken,
      version: this.deps.apiVersion,
      // jsforce calls this on a 401 and replays the request once with the new token.
      refreshFn: (_conn, callback) => {
        const stale = this.session?.accessToken ?? '';
        this.deps.pool.invalidate(this.username, stale);
        this.deps.pool
          .session(this.username, { forceRefresh: true })
          .then((fresh) => {
            this.session = fresh;
            callback(null, fresh.accessToken);
          })
          .catch((error: unknown) => callback(error as Error));
      },
    });
    return this.connection;
  }
}

interface QueryPage<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

export interface CollectionResult {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields?: string[] }>;
}
