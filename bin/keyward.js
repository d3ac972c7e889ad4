#!/usr/bin/env node
// Entry point of the `keyward` command: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
// Runtime settings first, before the modules that allocate the server's long-lived state.
await import('../src/server/v8-tuning.ts');
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
