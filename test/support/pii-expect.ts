import { expect } from 'vitest';
import { MemoryTokenVault, PiiMasker } from '../../src/governance/pii/index.ts';

/** Assertions the PII class tests share: each masks with a fresh pattern-mode masker and checks restore is exact. */

const list = (values: string | string[]): string[] => (Array.isArray(values) ? values : [values]);

const masker = (): PiiMasker =>
  new PiiMasker({ mode: 'pattern', vault: new MemoryTokenVault(), conversationId: 'pii-expect' });

/** Every secret is gone from the masked text, one entity has `type`, and restore gives the text back. */
export async function expectMasked(text: string, secrets: string | string[], type: string): Promise<void> {
  const m = masker();
  const { masked, entities } = await m.mask(text);
  for (const secret of list(secrets)) expect(masked, `${secret} in ${text}`).not.toContain(secret);
  expect(
    entities.map((entity) => entity.type),
    text,
  ).toContain(type);
  expect(await m.restore(masked)).toBe(text);
}

/** Every value survives masking unchanged, and restore gives the text back. */
export async function expectKept(text: string, values: string | string[]): Promise<void> {
  const m = masker();
  const { masked } = await m.mask(text);
  for (const value of list(values)) expect(masked, `${value} in ${text}`).toContain(value);
  expect(await m.restore(masked)).toBe(text);
}
