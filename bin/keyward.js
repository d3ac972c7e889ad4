#!/usr/bin/env node
// Entry point of the `keyward` command: runs the compiled server in dist/ (`npm run build`).
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  const root = decodeURIComponent(new URL('..', import.meta.url).pathname);
  console.error(
    `keyward: the server is not built (${root}dist/ is missing): run \`npm run build\` in ${root}`,
  );
  process.exit(1);
}
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv);
