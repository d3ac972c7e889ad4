/** How commands print: one JSON object with `--json`, readable lines and tables otherwise. */

export interface OutputOptions {
  json?: boolean | undefined;
}

/** Prints `value` as exactly one JSON object, or the human rendering. */
export function print(options: OutputOptions, value: object, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** A plain text table with a header row; columns padded to their widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `null` shown as a dash in tables. */
export const orDash = (value: string | null | undefined): string => value ?? '-';
