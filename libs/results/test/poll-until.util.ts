/**
 * Polls `probe` until it returns a value other than undefined, or fails
 * after `timeoutMs`.
 *
 * @param probe - returns the awaited value once it is there
 * @param description - what is awaited, for the timeout message
 * @param timeoutMs - deadline
 * @throws Error when the deadline passes first
 */
export async function pollUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  description: string,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${description}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
