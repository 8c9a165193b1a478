#!/usr/bin/env node
// The `loom` command. Registers tsx so the TypeScript sources run without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
