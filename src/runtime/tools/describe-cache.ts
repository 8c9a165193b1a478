import { DescribeIndex, DescribeSObject } from '../../governance/describe.ts';
import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import { SalesforceError } from '../../salesforce/rest-client.ts';

/**
 * Describe results per (user, object), fetched with the user's own session so they reflect that user's FLS.
 * Warm turns make no describe calls; entries expire after the TTL so permission changes are picked up.
 */
export class DescribeCache {
  private readonly entries = new Map<string, { describe: DescribeSObject | null; at: number }>();
  private readonly inflight = new Map<string, Promise<DescribeSObject | null>>();
  private readonly indexes = new Map<string, { parts: Array<DescribeSObject | null>; index: DescribeIndex }>();
  fetches = 0;

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user's describe of an object, or null when the user cannot read it (404 / INVALID_TYPE). */
  async get(client: SalesforceClient, objectName: string): Promise<DescribeSObject | null> {
    const key = `${client.username.toLowerCase()}|${objectName.toLowerCase()}`;
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.describe;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const fetch = this.fetch(client, objectName)
      .then((describe) => {
        this.entries.set(key, { describe, at: this.now() });
        return describe;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, fetch);
    return fetch;
  }

  /**
   * The user's index over these objects. The same instance comes back while the cached describes are unchanged, so the
   * SOQL guard's verdict cache (kept per index instance) serves repeated queries.
   */
  async index(client: SalesforceClient, objectNames: string[]): Promise<DescribeIndex> {
    const describes = await Promise.all(objectNames.map((name) => this.get(client, name)));
    const key = `${client.username.toLowerCase()}|${objectNames.join(',').toLowerCase()}`;
    const hit = this.indexes.get(key);
    if (hit && hit.parts.length === describes.length && hit.parts.every((part, i) => part === describes[i]))
      return hit.index;
    const index = new DescribeIndex(describes.filter((describe): describe is DescribeSObject => describe !== null));
    this.indexes.set(key, { parts: describes, index });
    return index;
  }

  /** Forget one user's entry (after the org refused a field the cached describe showed). */
  invalidate(username: string, objectName: string): void {
    this.entries.delete(`${username.toLowerCase()}|${objectName.toLowerCase()}`);
  }

  private async fetch(client: SalesforceClient, objectName: string): Promise<DescribeSObject | null> {
    this.fetches += 1;
    try {
      return DescribeSObject.parse(await client.describe(objectName));
    } catch (error) {
      if (error instanceof SalesforceError && ['NOT_FOUND', 'INVALID_TYPE'].includes(error.errorCode)) return null;
      throw error;
    }
  }
}
