/**
 * Token syntax `[TYPE:NNN]` and the escaping that keeps restore exact.
 *
 * Text that already looks like a token (`[SSN:001]` typed by a user) is escaped on the way in by adding one backslash
 * after the bracket (`[\SSN:001]`); restore removes one backslash from such text and replaces unescaped tokens with
 * their values, in a single pass so a restored value is never rescanned. A match can never straddle a token and
 * literal text (it starts with `[` and contains no other `[`), so mask→restore is the identity on any string.
 */

export const TYPE_NAME = /^[A-Z][A-Z0-9_]{0,31}$/;

// Group 1: escape backslashes (empty for a real token); group 2: TYPE; group 3: counter.
const TOKEN_LIKE = /\[(\\*)([A-Z][A-Z0-9_]*):(\d{3,})\]/g;

/** `[TYPE:NNN]` with at least three digits. */
export function formatToken(type: string, counter: number): string {
  return `[${type}:${String(counter).padStart(3, '0')}]`;
}

/** Escapes token-like text in literal (non-PII) text. */
export function escapeLiteral(text: string): string {
  if (!text.includes('[')) return text;
  return text.replace(
    TOKEN_LIKE,
    (_all, slashes: string, type: string, counter: string) => `[\\${slashes}${type}:${counter}]`,
  );
}

/** Replaces known tokens with their values (unknown tokens stay) and unescapes escaped token-like text. */
export function restoreTokens(text: string, lookup: (token: string) => string | undefined): string {
  if (!text.includes('[')) return text;
  return text.replace(TOKEN_LIKE, (all: string, slashes: string, type: string, counter: string) => {
    if (slashes.length > 0) return `[${slashes.slice(1)}${type}:${counter}]`;
    return lookup(all) ?? all;
  });
}
