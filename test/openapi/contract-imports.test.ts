/**
 * src/contract is the public contract the server, the OpenAPI document and the dashboard derive from:
 * it imports zod, other contract files and the pure domain of src/core (which imports nothing but zod),
 * never Fastify or any server module. Followed transitively from every contract file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const contractDir = join(root, 'src/contract');
const ALLOWED_PACKAGES = new Set(['zod']);
const ALLOWED_DIRS = ['src/contract/', 'src/core/'];

/** Every module specifier of a file: static imports and re-exports (type-only too), and import(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1] as string);
  return found;
}

describe('src/contract imports', () => {
  it('reach only zod, other contract files and src/core, transitively', () => {
    const start = readdirSync(contractDir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => join(contractDir, f));
    expect(start.length).toBeGreaterThan(5);
    const seen = new Set<string>();
    const queue = [...start];
    const problems: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      const from = relative(root, file);
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) {
          const pkg = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : (spec.split('/')[0] as string);
          if (!ALLOWED_PACKAGES.has(pkg)) problems.push(`${from} imports ${spec}`);
          continue;
        }
        const target = resolve(dirname(file), spec);
        const rel = relative(root, target);
        if (!ALLOWED_DIRS.some((dir) => rel.startsWith(dir))) problems.push(`${from} imports ${rel}`);
        else queue.push(target);
      }
    }
    expect(problems).toEqual([]);
    // The walk really followed the contract into src/core.
    expect([...seen].some((f) => relative(root, f).startsWith('src/core/'))).toBe(true);
  });

  it('holds every /v1, /api and /admin/v1 schema: their route files use zod for types only', () => {
    const offenders = ['v1', 'api', 'admin'].flatMap((folder) => {
      const dir = join(root, 'src/http/routes', folder);
      return readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .filter((f) => /import\s+(?!type\b)[^;]*from\s+['"]zod['"]/.test(readFileSync(join(dir, f), 'utf8')))
        .map((f) => `${folder}/${f}`);
    });
    expect(offenders).toEqual([]);
  });
});
