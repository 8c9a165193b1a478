import type { DescribeIndex } from '../describe.ts';

/**
 * BASELINE ONLY, NOT FOR USE: a faithful port of the "Text-to-SOQL that won't leak" post's Python check
 * (`enforce_fls`), kept so the benchmark can show what it leaks. It derives a deny-list by subtraction
 * (`full − allowed` for the FROM object) and searches the raw text with a case-sensitive word-boundary regex.
 * The post does not show `parse_object`; this port takes the first `FROM <word>` (case-insensitive), the
 * simplest reading of its "lightweight parser".
 */
export function baselineRegexCheck(
  soql: string,
  allowed: Record<string, string[]>,
  full: Record<string, string[]>,
): { allowed: boolean; violations: string[] } {
  const object = parseObject(soql);
  if (object === null) return { allowed: false, violations: ['could not parse target object'] };
  if (!Object.hasOwn(allowed, object)) return { allowed: false, violations: [`object not permitted: ${object}`] };
  const visible = new Set(allowed[object]);
  const restricted = (Object.hasOwn(full, object) ? (full[object] ?? []) : []).filter((field) => !visible.has(field));
  const present = [...new Set(restricted)]
    .filter((field) => new RegExp(`\\b${escapeRegExp(field)}\\b`).test(soql))
    .sort();
  return { allowed: present.length === 0, violations: present };
}

/** Builds the baseline's `allowed` (the user's describe) and `full` (the whole schema) maps. */
export function baselineInputs(
  user: DescribeIndex,
  everything: DescribeIndex,
): { allowed: Record<string, string[]>; full: Record<string, string[]> } {
  const toMap = (index: DescribeIndex): Record<string, string[]> =>
    Object.fromEntries(index.objectNames().map((name) => [name, index.fields(name).map((field) => field.name)]));
  return { allowed: toMap(user), full: toMap(everything) };
}

function parseObject(soql: string): string | null {
  return /\bFROM\s+(\w+)/i.exec(soql)?.[1] ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
