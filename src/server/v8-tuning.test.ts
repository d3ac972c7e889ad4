import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tickShapeAnchor } from './v8-tuning.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('tickShapeAnchor', () => {
  it('is one of Node’s tick objects: two async-id symbols, the callback and its arguments', () => {
    expect(tickShapeAnchor).toBeTypeOf('object');
    const anchor = tickShapeAnchor as Record<PropertyKey, unknown>;
    expect(Object.getOwnPropertySymbols(anchor).map(String)).toEqual([
      'Symbol(async_id_symbol)',
      'Symbol(trigger_async_id_symbol)',
    ]);
    expect(Object.keys(anchor)).toEqual(['callback', 'args']);
    expect(anchor.callback).toBeTypeOf('function');
  });

  // What it is for: a tick object made later, after full collections, still has the anchor's map, so
  // the map the tick literal's inline cache remembers is the one every tick gets.
  it('shares its map with the tick objects Node makes later (V8 natives, in a child process)', async () => {
    const script = `
      const { captureTickObject, tickShapeAnchor } = await import('./src/server/v8-tuning.ts');
      for (let i = 0; i < 3; i++) {
        await new Promise((done) => setTimeout(done, 20));
        globalThis.gc();
      }
      const later = captureTickObject();
      console.log(JSON.stringify({ same: %HaveSameMap(tickShapeAnchor, later), fast: %HasFastProperties(later) }));
    `;
    const { stdout } = await run(
      process.execPath,
      ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ same: true, fast: true });
  });
});
