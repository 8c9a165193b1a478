/**
 * The 15 → 18-character record ID checksum, shared by the emulator (which mints IDs) and the coercion layer (which
 * validates them). Each of the three 5-character chunks of the 15-character ID gives one suffix character: bit i is
 * set when character i of the chunk is an upper-case letter, and the 5-bit value indexes `A`–`Z0`–`5`. This is what
 * makes the 18-character form case-insensitive (Salesforce Help, "What is a Salesforce ID?", and CASESAFEID()).
 */
export const ID_SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character checksum that turns a case-sensitive 15-character ID into its 18-character form. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += ID_SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}
