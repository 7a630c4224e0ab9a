/**
 * Deepest nesting of arrays and objects a request body may have. Far past
 * any real task argument or workflow (MAX_WORKFLOW_DEPTH 32 is about 70
 * levels of JSON), and well under what recursive code can walk: the
 * validation pipe, the idempotency hash, Python's json module on a worker.
 */
export const MAX_BODY_DEPTH = 128;

/**
 * Whether `value` nests arrays and objects deeper than `limit` (a bare
 * object or array is 1 deep). Walks with its own stack, so no body can
 * overflow the call stack here.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { node: unknown; depth: number }[] = [
    { node: value, depth: 1 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth } = next;
    if (typeof node !== 'object' || node === null) {
      continue;
    }
    if (depth > limit) {
      return true;
    }
    for (const child of Object.values(node)) {
      pending.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}
