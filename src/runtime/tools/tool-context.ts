import type { SalesforceClient } from '../../salesforce/rest-client.ts';
import type { DescribeCache } from './describe-cache.ts';

/** What every standard tool runs with: the requesting user's client and their describe cache. */
export interface ToolContext {
  client: SalesforceClient;
  describes: DescribeCache;
}
