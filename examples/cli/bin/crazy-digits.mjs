#!/usr/bin/env node
// Runs the CLI from its TypeScript sources, no build needed: tsx compiles on the fly, and the
// repository's tsconfig maps `@crazy-digits/*` to the packages' sources. The tsconfig is passed
// through the environment so the gradient worker threads `train` starts resolve the same way.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
