import { exceptionRepr } from '@celeriac/broker';

/**
 * One header result as `celery.chord_unlock` receives it: Celery's
 * `as_tuple()` of an AsyncResult (`[[id, parent], null]`) or of a
 * GroupResult (`[[id, parent], [child tuples]]`), read back with
 * `result_from_tuple`.
 */
export type HeaderResult =
  | { id: string; children?: undefined }
  | { id: string; children: HeaderResult[] };

/** A task's stored state and result, as the join reads them. */
export interface StoredOutcome {
  status: string;
  result: unknown;
}

/** What polling the header found. */
export type HeaderJoin =
  | { ready: false }
  | { ready: true; values: unknown[] }
  | { ready: true; failure: string };

const READY = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);
const PROPAGATES = new Set(['FAILURE', 'REVOKED']);

/**
 * Celery's `result_from_tuple` for each entry of chord_unlock's `result`.
 *
 * @throws TypeError when an entry is no result tuple
 */
export function headerResultsOf(result: unknown): HeaderResult[] {
  if (!Array.isArray(result)) {
    throw new TypeError('chord_unlock needs result=[result tuples]');
  }
  return result.map(fromTuple);
}

function fromTuple(tuple: unknown): HeaderResult {
  if (!Array.isArray(tuple) || tuple.length !== 2) {
    throw new TypeError(`not a result tuple: ${JSON.stringify(tuple)}`);
  }
  const [own, nodes] = tuple as [unknown, unknown];
  // `res` is `[id, parent]`, or the id alone.
  const id = Array.isArray(own) ? (own[0] as unknown) : own;
  if (typeof id !== 'string') {
    throw new TypeError(`not a result tuple: ${JSON.stringify(tuple)}`);
  }
  if (nodes === null || nodes === undefined) {
    return { id };
  }
  if (!Array.isArray(nodes)) {
    throw new TypeError(`not a result tuple: ${JSON.stringify(tuple)}`);
  }
  return { id, children: nodes.map(fromTuple) };
}

/** Every task id whose state the join needs, depth first. */
export function leafIdsOf(results: readonly HeaderResult[]): string[] {
  return results.flatMap((result) =>
    result.children ? leafIdsOf(result.children) : [result.id],
  );
}

/**
 * Celery's `unlock_chord` after reading the header's states: not ready
 * while any task is not in a ready state; then `join(propagate=True)` in
 * header order, a nested GroupResult giving the list of its values. The
 * first task in header order that failed (or was revoked) is the error;
 * the reason names the first FAILURE (`_failed_join_report`):
 * `Dependency <id> raised <repr>`, or the bare repr when none failed.
 *
 * @param outcomes - by task id; a missing id is PENDING
 */
export function joinHeader(
  results: readonly HeaderResult[],
  outcomes: ReadonlyMap<string, StoredOutcome>,
): HeaderJoin {
  const leaves = leafIdsOf(results);
  const stateOf = (id: string) => outcomes.get(id)?.status ?? 'PENDING';
  if (!leaves.every((id) => READY.has(stateOf(id)))) {
    return { ready: false };
  }
  const raised = leaves.find((id) => PROPAGATES.has(stateOf(id)));
  if (raised !== undefined) {
    const repr =
      exceptionRepr(outcomes.get(raised)?.result, 'full') ?? 'Exception()';
    const culprit = leaves.find((id) => stateOf(id) === 'FAILURE');
    return {
      ready: true,
      failure:
        culprit === undefined ? repr : `Dependency ${culprit} raised ${repr}`,
    };
  }
  const valueOf = (result: HeaderResult): unknown =>
    result.children
      ? result.children.map(valueOf)
      : outcomes.get(result.id)?.result;
  return { ready: true, values: results.map(valueOf) };
}
