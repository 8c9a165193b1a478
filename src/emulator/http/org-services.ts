import type { OrgApi } from '../org/model.ts';
import type { Clock } from './clock.ts';
import type { Faults } from './faults.ts';
import type { LocatorStore } from './rest/locators.ts';
import type { TokenStore } from './tokens.ts';
import type { ApiUsage } from './usage.ts';

/**
 * The state of one emulated org behind its HTTP surface: the org itself, its sessions, API usage, injected faults,
 * clock and query locators. Built once by the server; the router and the admin controls both work on it.
 */
export interface OrgServices {
  org: OrgApi;
  tokens: TokenStore;
  usage: ApiUsage;
  faults: Faults;
  clock: Clock;
  locators: LocatorStore;
}
