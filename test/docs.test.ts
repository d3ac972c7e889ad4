/** docs/errors.md and the error catalogue cannot drift apart: every code is documented, no other is. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, type ErrorCode } from '../src/core/errors.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const catalogue = Object.keys(ERRORS) as ErrorCode[];

/** Every backticked `ERR_…` anywhere in the doc. */
const mentioned = new Set([...doc.matchAll(/`(ERR_[A-Z_]+)`/g)].map((m) => m[1]!));

/** Table rows `| \`ERR_…\` | status | … |`, by code. */
const rows = new Map(
  [...doc.matchAll(/^\|\s*`(ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|(.*)\|\s*$/gm)].map((m) => [
    m[1]!,
    { status: Number(m[2]), rest: m[3]! },
  ]),
);

describe('docs/errors.md', () => {
  it('documents every code in the error catalogue in a table row', () => {
    const missing = catalogue.filter((code) => !rows.has(code));
    expect(missing, 'codes in src/core/errors.ts without a row in docs/errors.md').toEqual([]);
  });

  it('names no code that the catalogue does not have', () => {
    const unknown = [...mentioned].filter((code) => !(code in ERRORS));
    expect(unknown, 'codes in docs/errors.md that src/core/errors.ts does not define').toEqual([]);
  });

  it("gives each code the catalogue's HTTP status", () => {
    const wrong = catalogue
      .filter((code) => rows.has(code) && rows.get(code)!.status !== ERRORS[code].status)
      .map((code) => `${code}: doc says ${rows.get(code)!.status}, catalogue says ${ERRORS[code].status}`);
    expect(wrong).toEqual([]);
  });

  it('says for each code when it happens and what to do', () => {
    const thin = catalogue.filter((code) => {
      const row = rows.get(code);
      if (!row) return false; // reported as missing above
      const cells = row.rest.split('|').map((c) => c.trim());
      return cells.length < 2 || cells.some((c) => c.length === 0);
    });
    expect(thin, 'rows with an empty "when it happens" or "what to do" cell').toEqual([]);
  });
});
