// Polling instead of sleeping: tests wait for what the kernel shows, as long as it takes and no longer.

export interface WaitOptions {
  /** Give up after this many ms (default 2000). */
  timeout?: number;
  /** Poll every this many ms (default 10). */
  interval?: number;
  /** Says what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Calls fn until it returns a truthy value (which is returned) or the timeout passes. A throw counts as
 * "not yet"; the last one is quoted in the timeout error.
 */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitOptions | number = {}): Promise<Truthy<T>> {
  const { timeout = 2000, interval = 10, message = 'condition' } = typeof options === 'number' ? { timeout: options } : options;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
