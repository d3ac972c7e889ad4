/** Batched writes: many rows per statement, and the event loop left free between statements. */

/** Rows per multi-row statement: 500 × 8 columns stays far below either dialect's parameter limit. */
export const ROWS_PER_STATEMENT = 500;

/** Lets timers and I/O run (on SQLite every statement is synchronous, so a long batch would stall requests). */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `write` on consecutive slices of at most `size` rows, yielding to the event loop between them. */
export async function inChunks<T>(
  rows: readonly T[],
  size: number,
  write: (chunk: readonly T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += size) {
    if (i > 0) await yieldToEventLoop();
    await write(i === 0 && rows.length <= size ? rows : rows.slice(i, i + size));
  }
}
