import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';

/** `loom config check`: validates the environment (and .env) without starting anything. */
export function register(program: Command): void {
  program
    .command('config')
    .description('Validate the configuration from the environment and .env, and print it with secrets hidden')
    .action(() => {
      const config = loadConfig();
      const hidden = /KEY|TOKEN|SECRET/;
      for (const [name, value] of Object.entries(config)) {
        if (value === undefined) continue;
        console.log(`${name}=${hidden.test(name) ? '[set]' : JSON.stringify(value)}`);
      }
    });
}
