/**
 * Maps a position in code tsx ran back to the TypeScript line. tsx minifies whitespace (a module is
 * one line), so profile positions are columns of that line; tsx's disk cache (`<tmpdir>/tsx-<uid>/`)
 * keeps each transform with its source map, which node:module's SourceMap reads.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

interface Transform {
  code: string;
  map: SourceMap;
  mtime: number;
}

let bySource: Map<string, Transform[]> | undefined;

function load(): Map<string, Transform[]> {
  const index = new Map<string, Transform[]>();
  const dir = join(tmpdir(), `tsx-${process.getuid?.() ?? userInfo().username}`);
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return index;
  }
  for (const name of names) {
    try {
      const path = join(dir, name);
      const entry = JSON.parse(readFileSync(path, 'utf8')) as { code?: string; map?: SourceMapPayload };
      const source = entry.map?.sources?.[0];
      if (!entry.code || !entry.map || !source) continue;
      const list = index.get(source) ?? [];
      list.push({ code: entry.code, map: new SourceMap(entry.map), mtime: statSync(path).mtimeMs });
      index.set(source, list);
    } catch {
      // Not a transform entry.
    }
  }
  for (const list of index.values()) list.sort((a, b) => b.mtime - a.mtime);
  return index;
}

/**
 * The 1-based TypeScript line of a function V8 saw at (line, column) of `file` (0-based), or
 * undefined when no cached transform of that file has a function of that name at that column
 * (the file changed since, or the cache was cleared).
 */
export function originalLine(
  file: string,
  line: number,
  column: number,
  functionName: string,
): number | undefined {
  bySource ??= load();
  for (const t of bySource.get(file) ?? []) {
    // V8 places a function at its parameter list, so its name (if any) sits just before.
    const at =
      t.code.split('\n')[line]?.slice(Math.max(0, column - functionName.length - 20), column + 40) ?? '';
    if (functionName && !at.includes(functionName)) continue;
    const entry = t.map.findEntry(line, column) as { originalLine?: number };
    if (entry.originalLine !== undefined) return entry.originalLine + 1;
  }
  return undefined;
}
