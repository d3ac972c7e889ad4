/**
 * Usage recording depends on no delivery mechanism: alerts leave through the UsageEventSink port,
 * so nothing under src/usage imports the webhooks module (which would close an import cycle again).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const here = new URL('./', import.meta.url);
const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('usage module boundaries', () => {
  it.each(sources)('%s imports nothing from src/webhooks', (file) => {
    const text = readFileSync(new URL(file, here), 'utf8');
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    expect(imports.filter((path) => path?.includes('/webhooks/'))).toEqual([]);
  });
});
