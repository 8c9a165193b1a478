import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { MemoryTokenVault, PiiMasker } from '../../governance/pii/index.ts';
import { cli } from '../context.ts';

/** `loom pii-mask`: one JSON object per stdin line with the masked text, its restoration and the entities found. */
export function register(program: Command): void {
  program
    .command('pii-mask')
    .description(
      'Mask PII in each line of stdin and print one JSON object per line: {"masked", "restored", "entities"}. ' +
        'Pattern mode, all categories, a fresh in-memory token vault for the run (same value, same token).',
    )
    .option(
      '--categories <list>',
      'comma-separated pattern categories or types (identity,financial,contact,network or SSN,EMAIL,...)',
    )
    .addHelpText('after', '\nExample:\n  echo "SSN 123-45-6789, mail ada@example.com" | loom pii-mask')
    .action(async (options: { categories?: string }) => {
      const categories = options.categories
        ?.split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      const masker = new PiiMasker({
        mode: 'pattern',
        vault: new MemoryTokenVault(),
        conversationId: 'cli',
        ...(categories ? { categories } : {}),
      });
      const context = cli();
      const lines = createInterface({ input: context.io.stdin, crlfDelay: Infinity });
      const all: unknown[] = [];
      for await (const line of lines) {
        const { masked, entities } = await masker.mask(line);
        const restored = await masker.restore(masked);
        if (context.json) all.push({ masked, restored, entities });
        else context.io.stdout.write(`${JSON.stringify({ masked, restored, entities })}\n`);
      }
      if (context.json) context.result(all);
    });
}
