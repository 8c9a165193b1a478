import { idSuffix } from '../../schemas/salesforce-id.ts';

export { idSuffix };

/** Key prefixes fixed by the platform for standard objects; custom objects need the org's describe. */
export const STANDARD_KEY_PREFIXES: Readonly<Record<string, string>> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Lead: '00Q',
  Case: '500',
  Task: '00T',
  Event: '00U',
  Group: '00G',
  Organization: '00D',
};

/** Validates a 15- or 18-character record ID and returns the 18-character form, or why it is not an ID. */
export function normalizeId(value: string): { ok: true; id: string } | { ok: false; message: string } {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value)) {
    return { ok: false, message: 'a record ID is 15 or 18 letters and digits' };
  }
  const id15 = value.slice(0, 15);
  if (value.length === 15) return { ok: true, id: id15 + idSuffix(id15) };
  // The 18-character form is case-insensitive: its suffix must match the case pattern of the first 15 characters.
  if (value.slice(15).toUpperCase() !== idSuffix(id15)) {
    return { ok: false, message: 'the last 3 characters are not a valid checksum for this 18-character ID' };
  }
  return { ok: true, id: id15 + idSuffix(id15) };
}
