import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `probe` until `done` accepts its value or the deadline passes, then
 * returns the last value (the assertion after it says what was expected).
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await sleep(intervalMs);
    value = await probe();
  }
  return value;
}
