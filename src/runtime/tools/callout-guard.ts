/**
 * Where an HTTP callout may go. Fail closed: only hosts on the worker's allow-list (exact, case-insensitive), https
 * except to loopback, and never to a private, loopback or link-local address unless that address itself is listed —
 * checked on the literal in the URL and again on every address DNS returns at connect time (no rebinding window).
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

/** `[::1]` → `::1`; names lower-cased (WHATWG URL has already normalised odd IPv4 forms such as `0x7f.1`). */
export function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Private, loopback, link-local, CGNAT, multicast or unspecified; IPv4-mapped IPv6 is judged by its IPv4 part. */
export function isPrivateAddress(address: string): boolean {
  const host = normaliseHost(address);
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(host);
  if (mapped) {
    const v4 =
      mapped[1] ??
      [mapped[2], mapped[3]]
        .flatMap((part) => {
          const n = parseInt(part ?? '0', 16);
          return [n >> 8, n & 255];
        })
        .join('.');
    return PRIVATE.check(v4, 'ipv4');
  }
  const family = isIP(host);
  if (family === 4) return PRIVATE.check(host, 'ipv4');
  if (family === 6) return PRIVATE.check(host, 'ipv6');
  return false;
}

const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || (isIP(host) !== 0 && isPrivateAddress(host) && (host.startsWith('127.') || host === '::1'));

export class CalloutRefused extends Error {
  constructor(
    readonly category: 'CalloutNotAllowed' | 'CalloutRedirectRefused',
    message: string,
  ) {
    super(message);
  }
}

export class CalloutGuard {
  private readonly allowed: Set<string>;

  constructor(allowedHosts: readonly string[]) {
    this.allowed = new Set(allowedHosts.map(normaliseHost).filter(Boolean));
  }

  /** Throws CalloutRefused unless a request to this URL may be made at all (no request is made when it throws). */
  check(url: URL): void {
    if (this.allowed.size === 0)
      throw new CalloutRefused(
        'CalloutNotAllowed',
        'HTTP callouts are disabled on this worker (LOOM_CALLOUT_ALLOWLIST is empty).',
      );
    const host = normaliseHost(url.hostname);
    if (url.username || url.password)
      throw new CalloutRefused(
        'CalloutNotAllowed',
        'Callout URLs may not carry credentials; use headers with env: secrets.',
      );
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(host))) {
      throw new CalloutRefused(
        'CalloutNotAllowed',
        `Callouts must use https (got ${url.protocol.replace(':', '')} to ${host}).`,
      );
    }
    if (!this.allowed.has(host))
      throw new CalloutRefused('CalloutNotAllowed', `The host ${host} is not on this worker's callout allow-list.`);
  }

  /** A DNS lookup for http(s).request that refuses private addresses the allow-list does not name explicitly. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find(
        (entry) => isPrivateAddress(entry.address) && !this.allowed.has(normaliseHost(entry.address)),
      );
      if (refused) {
        return callback(
          new CalloutRefused(
            'CalloutNotAllowed',
            `${hostname} resolves to the private address ${refused.address}, which is not allow-listed.`,
          ),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as (err: null, all: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}
