const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

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

/** The 3-character checksum that turns a case-sensitive 15-character ID into its 18-character form. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

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
