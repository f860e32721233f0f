// Lints every publishable package as npm would ship it: publint for package.json/exports mistakes,
// @arethetypeswrong/cli for type resolution under node10, node16 (CJS and ESM) and bundlers.
// Run after `npm run build`.
import { execFileSync } from 'node:child_process';

const packages = [
  'packages/core',
  'packages/node-adapter',
  'packages/browser-adapter',
  'packages/postgres-adapter',
  'packages/react',
];
let failed = false;

for (const dir of packages) {
  for (const [tool, args] of [
    ['publint', [dir, '--strict']],
    ['attw', ['--pack', dir, '--format', 'table-flipped']],
  ]) {
    console.log(`\n$ ${tool} ${args.join(' ')}`);
    try {
      execFileSync('npx', ['--no-install', tool, ...args], { stdio: 'inherit' });
    } catch {
      failed = true;
    }
  }
}

process.exit(failed ? 1 : 0);
