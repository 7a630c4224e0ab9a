const TASK_KEY_PREFIX = 'celery-task-meta-';
const GROUP_KEY_PREFIX = 'celery-taskset-meta-';
const PREFIX_TERMINATORS = ':_-.';

/**
 * Turns `result_backend_transport_options.global_keyprefix` into the string
 * Celery puts in front of every key: `_` is appended unless the prefix already
 * ends in one of `:_-.` (celery-protocol.md §C.1).
 *
 * @param globalKeyPrefix - the configured prefix, or nothing
 * @returns the literal key prefix, `''` when none is configured
 */
export function normalizeKeyPrefix(globalKeyPrefix?: string): string {
  if (!globalKeyPrefix) {
    return '';
  }
  return PREFIX_TERMINATORS.includes(globalKeyPrefix.slice(-1))
    ? globalKeyPrefix
    : `${globalKeyPrefix}_`;
}

/**
 * Key (and pub/sub channel) of a task's meta: `celery-task-meta-<id>`.
 *
 * @param taskId - the task id
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function taskMetaKey(taskId: string, globalKeyPrefix?: string): string {
  return `${normalizeKeyPrefix(globalKeyPrefix)}${TASK_KEY_PREFIX}${taskId}`;
}

/**
 * Key of a saved `GroupResult`: `celery-taskset-meta-<group id>`.
 *
 * @param groupId - the group id
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function groupMetaKey(
  groupId: string,
  globalKeyPrefix?: string,
): string {
  return `${normalizeKeyPrefix(globalKeyPrefix)}${GROUP_KEY_PREFIX}${groupId}`;
}

/**
 * Key of a chord's collected part results (`.j`, a ZSET by default).
 *
 * @param groupId - the chord header's group id
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function chordJoinKey(
  groupId: string,
  globalKeyPrefix?: string,
): string {
  return `${groupMetaKey(groupId, globalKeyPrefix)}.j`;
}

/**
 * Key of a chord's counter of parts added at run time (`.t`, `Task.add_to_chord`).
 *
 * @param groupId - the chord header's group id
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function chordCounterKey(
  groupId: string,
  globalKeyPrefix?: string,
): string {
  return `${groupMetaKey(groupId, globalKeyPrefix)}.t`;
}

/**
 * Key of a chord's header size (`.s`, an integer string).
 *
 * @param groupId - the chord header's group id
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function chordSizeKey(
  groupId: string,
  globalKeyPrefix?: string,
): string {
  return `${groupMetaKey(groupId, globalKeyPrefix)}.s`;
}

/**
 * Key of the ZSET of revoked task ids, scored by revoke time in ms: a
 * celeriac key (Celery keeps revokes in worker memory), under the same prefix.
 *
 * @param globalKeyPrefix - Celery's `global_keyprefix`, if any
 */
export function revokedKey(globalKeyPrefix?: string): string {
  return `${normalizeKeyPrefix(globalKeyPrefix)}celeriac-revoked`;
}
