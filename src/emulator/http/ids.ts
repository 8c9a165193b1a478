import { randomBytes } from 'node:crypto';
import { idSuffix } from '../../schemas/salesforce-id.ts';

export { idSuffix };

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 15 → 18 characters; 18-character input is returned as is. */
export function to18(id: string): string {
  return id.length === 15 ? id + idSuffix(id) : id;
}

/** True when `id` has a Salesforce ID's shape and, for 18 characters, a valid checksum. */
export function isWellFormedId(id: string): boolean {
  if (!/^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$/.test(id)) return false;
  return id.length === 15 || idSuffix(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

/** A random 18-character ID with the given key prefix (query locators, publish results). */
export function randomId(prefix: string): string {
  const bytes = randomBytes(12);
  let body = 'EM0';
  for (let i = 0; body.length < 12; i++) body += BASE62.charAt((bytes[i] ?? 0) % 62);
  return to18(prefix + body);
}
