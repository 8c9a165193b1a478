import type { z } from 'zod';

/** How a reader names a bad line: what it may say of the line depends on who reads the error. */
export interface JsonlErrors {
  /** `line` counts the non-blank lines from 1. */
  notJson(line: number, error: unknown): Error;
  badShape(line: number, error: z.ZodError): Error;
}

/** Parses JSONL text: blank lines are skipped, every other line must be JSON that `schema` accepts. */
export function parseJsonl<T>(text: string, schema: z.ZodType<T>, errors: JsonlErrors): T[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.map((line, index) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw errors.notJson(index + 1, error);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw errors.badShape(index + 1, parsed.error);
    return parsed.data;
  });
}
