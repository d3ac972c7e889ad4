/** Runs a background job on an interval inside `serve` (errors are reported, the next run tries again). */
export function scheduleJob(run: () => Promise<unknown>, everyMs: number, onError: (err: unknown) => void) {
  const timer = setInterval(() => void run().catch(onError), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
