/**
 * A deep copy of `value` in which every string equal to a key of `swaps` is
 * replaced by that key's value: a captured message with its ids (and other
 * per-run strings) exchanged for the ones a test produced, so the rest can
 * be compared exactly. Every occurrence is swapped, so where the capture
 * repeats an id (`id`, `root_id`, `correlationId`), the test's message must
 * repeat its own id in the same places to compare equal.
 */
export function swapIds<T>(
  value: T,
  swaps: Readonly<Record<string, string>>,
): T {
  return swap(value, swaps) as T;
}

function swap(
  value: unknown,
  swaps: Readonly<Record<string, string>>,
): unknown {
  if (typeof value === 'string') {
    return Object.hasOwn(swaps, value) ? swaps[value] : value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => swap(item, swaps));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, swap(item, swaps)]),
    );
  }
  return value;
}
