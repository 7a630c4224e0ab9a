/**
 * How long a suite's `beforeAll` may take to boot its apps: generous, so it
 * holds on a busy 2-core machine (a 30 s boot limit did not).
 */
export const BOOT_TIMEOUT_MS = 120_000;

/** How long a suite's `afterAll` may take to close everything. */
export const TEARDOWN_TIMEOUT_MS = 60_000;

/**
 * Runs every cleanup step in order, even when an earlier one fails or its
 * resource never opened (a `beforeAll` that failed half-way leaves some
 * undefined: guard them with `?.`), then rethrows what failed, so nothing
 * stays open to keep jest running and no failure goes unseen.
 *
 * @example
 * afterAll(() => teardown(() => api?.close(), () => deleteQueue(queue)), TEARDOWN_TIMEOUT_MS);
 */
export async function teardown(...steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    throw new AggregateError(
      failures,
      `${failures.length} teardown steps failed`,
    );
  }
}
