import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';
import { CorruptResultError } from './errors/corrupt-result.error';
import { type ReplicaWait, waitForReplicas } from './replica-wait';
import { groupMetaKey, taskMetaKey } from './result-keys';
import { celeryDateNow, type TaskMeta } from './task-meta';
import { isReadyState, TaskState } from './task-state';
import { withStoreResultSpan } from './store-result-span';

/** Settings of a {@link ResultRepository}. */
export interface ResultRepositoryOptions {
  /** Lifetime of every written key (Celery's `result_expires`); 0 keeps keys forever. */
  expiresSeconds: number;
  /** Celery's `global_keyprefix`; must match every Python and Node peer. */
  keyPrefix?: string;
  /** Replicas that must hold the writes before {@link ResultRepository.confirmReplicated} resolves. */
  replicaWait?: ReplicaWait;
}

/** Optional parts of a task meta document; extended fields are written only when given. */
export interface StoreResultExtra {
  traceback?: string | null;
  children?: unknown[];
  groupId?: string | null;
  parentId?: string | null;
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  worker?: string;
  retries?: number;
  queue?: string;
}

/** A saved `GroupResult`, flattened to its leaf task ids in order. */
export interface StoredGroup {
  groupId: string;
  childIds: string[];
}

// Atomic form of Celery's `_store_result`: GET and skip a stored SUCCESS, then MULTI SETEX + PUBLISH.
// The plain find spares the JSON decode (most of the script's cost) when the
// stored document cannot be a SUCCESS; the decode still decides otherwise.
const STORE_RESULT_LUA = `
local current = redis.call('GET', KEYS[1])
if current and string.find(current, 'SUCCESS', 1, true) then
  local ok, meta = pcall(cjson.decode, current)
  if ok and type(meta) == 'table' and meta['status'] == 'SUCCESS' then
    return 0
  end
end
if tonumber(ARGV[1]) > 0 then
  redis.call('SETEX', KEYS[1], ARGV[1], ARGV[2])
else
  redis.call('SET', KEYS[1], ARGV[2])
end
redis.call('PUBLISH', KEYS[1], ARGV[2])
return 1
`;

const STORE_RESULT_SHA = createHash('sha1')
  .update(STORE_RESULT_LUA)
  .digest('hex');

// SET NX (with EX when ARGV[1] > 0) of each KEYS[i] to ARGV[i + 1]; per
// key, 1 when written, 0 when it existed.
const MARK_PENDING_LUA = `
local ttl = tonumber(ARGV[1])
local written = {}
for index, key in ipairs(KEYS) do
  local reply
  if ttl > 0 then
    reply = redis.call('SET', key, ARGV[index + 1], 'EX', ttl, 'NX')
  else
    reply = redis.call('SET', key, ARGV[index + 1], 'NX')
  end
  written[index] = reply and 1 or 0
end
return written
`;

// Compare-and-delete: drops each key only while it still holds the PENDING
// document this producer wrote, so a state a worker stored meanwhile stays.
const UNMARK_PENDING_LUA = `
local removed = 0
for index, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[index] then
    redis.call('DEL', key)
    removed = removed + 1
  end
end
return removed
`;

const EXTENDED_FIELDS = [
  'name',
  'args',
  'kwargs',
  'worker',
  'retries',
  'queue',
] as const;

/**
 * Adapter over one ioredis client that reads and writes results in Celery's
 * Redis backend format (celery-protocol.md §C), so Python's `AsyncResult` and
 * `GroupResult` read what Node writes and the other way round.
 */
export class ResultRepository {
  private readonly redis: Redis;
  private readonly expiresSeconds: number;
  private readonly keyPrefix: string | undefined;
  private readonly replicaWait: ReplicaWait | undefined;

  /**
   * @param redis - a connected ioredis client, not in subscriber mode
   * @param options - expiry and key prefix
   */
  constructor(redis: Redis, options: ResultRepositoryOptions) {
    this.redis = redis;
    this.expiresSeconds = Math.max(0, Math.trunc(options.expiresSeconds));
    this.keyPrefix = options.keyPrefix;
    this.replicaWait = options.replicaWait;
  }

  /**
   * With a replica wait configured, resolves once the replicas hold every
   * result written so far (Redis `WAIT`); a worker calls it before acking,
   * so a failover cannot lose the result of an acked task. Without, at once.
   *
   * @throws ResultBackendUnavailableError when too few replicas answered in time
   */
  async confirmReplicated(): Promise<void> {
    if (this.replicaWait) {
      await waitForReplicas(this.redis, this.replicaWait);
    }
  }

  /**
   * Records that a task id was issued and queued, unless its key exists.
   *
   * @param taskId - the id about to be published
   * @returns true when the PENDING document was written
   */
  async markPending(taskId: string): Promise<boolean> {
    const key = this.taskKey(taskId);
    const json = pendingDocument(taskId);
    const args =
      this.expiresSeconds > 0
        ? [key, json, 'EX', this.expiresSeconds, 'NX']
        : [key, json, 'NX'];
    return (await this.sendAlone('set', args)) === 'OK';
  }

  /**
   * {@link ResultRepository.markPending} for many ids in one round trip.
   *
   * @param taskIds - ids about to be published
   * @returns per id, in order, whether its PENDING document was written
   */
  async markManyPending(taskIds: readonly string[]): Promise<boolean[]> {
    if (taskIds.length === 0) {
      return [];
    }
    if (taskIds.length === 1) {
      return [await this.markPending(taskIds[0])];
    }
    // One script call instead of a pipeline of SETs: the same writes, but
    // one command for ioredis to build and one reply to parse, which for a
    // 1000-task batch was most of the api's Redis work.
    const keys = taskIds.map((taskId) => this.taskKey(taskId));
    const documents = taskIds.map(pendingDocument);
    const written = (await this.redis.eval(
      MARK_PENDING_LUA,
      keys.length,
      ...keys,
      this.expiresSeconds,
      ...documents,
    )) as number[];
    return written.map((flag) => flag === 1);
  }

  /**
   * Takes back PENDING marks whose message was never published: deletes
   * each key that still holds exactly the document
   * {@link ResultRepository.markManyPending} wrote, and leaves any other
   * state (a worker's) alone.
   *
   * @param taskIds - ids whose marks this producer wrote
   * @returns how many marks were removed
   */
  async unmarkPending(taskIds: readonly string[]): Promise<number> {
    if (taskIds.length === 0) {
      return 0;
    }
    const keys = taskIds.map((taskId) => this.taskKey(taskId));
    const documents = taskIds.map(pendingDocument);
    const removed = await this.redis.eval(
      UNMARK_PENDING_LUA,
      keys.length,
      ...keys,
      ...documents,
    );
    return Number(removed);
  }

  /**
   * Stores a task state and publishes it on the key's channel, unless the
   * stored state is SUCCESS (Celery never overwrites a success).
   *
   * @param taskId - the task id
   * @param state - a {@link TaskState} value or a custom state such as PROGRESS
   * @param result - the return value, the progress meta, or for FAILURE,
   *   RETRY and REVOKED the exception dict from `toExceptionInfo`
   * @param extra - traceback, children, group and parent ids, extended fields
   * @returns false when a stored SUCCESS refused the write
   */
  storeResult(
    taskId: string,
    state: string,
    result: unknown,
    extra: StoreResultExtra = {},
  ): Promise<boolean> {
    return withStoreResultSpan(taskId, state, () =>
      this.writeResult(taskId, state, result, extra),
    );
  }

  private async writeResult(
    taskId: string,
    state: string,
    result: unknown,
    extra: StoreResultExtra,
  ): Promise<boolean> {
    const json = JSON.stringify(buildTaskMeta(taskId, state, result, extra));
    const key = this.taskKey(taskId);
    // EVALSHA straight away (ioredis' defineCommand wraps every call in
    // more promises); EVAL loads the script where Redis lacks it.
    let written: unknown;
    try {
      written = await this.redis.evalsha(
        STORE_RESULT_SHA,
        1,
        key,
        this.expiresSeconds,
        json,
      );
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) {
        throw error;
      }
      written = await this.redis.eval(
        STORE_RESULT_LUA,
        1,
        key,
        this.expiresSeconds,
        json,
      );
    }
    return written === 1;
  }

  /**
   * Reads a task's meta document.
   *
   * @param taskId - the task id
   * @returns the document, or null when no key exists
   * @throws CorruptResultError when the value is not a task meta document
   */
  async getTaskMeta(taskId: string): Promise<TaskMeta | null> {
    const key = this.taskKey(taskId);
    const value = (await this.sendAlone('get', [key])) as string | null;
    return parseTaskMeta(key, value);
  }

  // One command sent as it is: with auto-pipelining, `redis.set` / `.get`
  // would wrap it in a Pipeline of its own, since an api request's command
  // is alone in its tick (the pipeline is flushed on the next tick).
  private sendAlone(name: string, args: (string | number)[]): Promise<unknown> {
    const command = new Command(name, args, { replyEncoding: 'utf8' });
    void this.redis.sendCommand(command);
    return command.promise;
  }

  /**
   * Reads many task meta documents with one MGET.
   *
   * @param taskIds - task ids
   * @returns documents in the order of `taskIds`, null where absent
   * @throws CorruptResultError when any value is not a task meta document
   */
  async getManyTaskMeta(
    taskIds: readonly string[],
  ): Promise<(TaskMeta | null)[]> {
    if (taskIds.length === 0) {
      return [];
    }
    const keys = taskIds.map((taskId) => this.taskKey(taskId));
    const values = await this.redis.mget(...keys);
    return values.map((value, index) => parseTaskMeta(keys[index], value));
  }

  /**
   * Saves a group the way `GroupResult.save()` does, so Python's
   * `GroupResult.restore(groupId)` finds it.
   *
   * @param groupId - the group id
   * @param childIds - the member task ids in order
   */
  async saveGroup(groupId: string, childIds: readonly string[]): Promise<void> {
    const key = this.groupKey(groupId);
    const json = JSON.stringify({
      result: [
        [groupId, null],
        childIds.map((childId) => [[childId, null], null]),
      ],
    });
    const transaction = this.redis.multi();
    if (this.expiresSeconds > 0) {
      transaction.setex(key, this.expiresSeconds, json);
    } else {
      transaction.set(key, json);
    }
    transaction.publish(key, json);
    unwrapReplies(await transaction.exec());
  }

  /**
   * Reads a saved group; nested groups are flattened to their leaf task ids.
   *
   * @param groupId - the group id
   * @returns the group, or null when no key exists
   * @throws CorruptResultError when the value is not a saved group
   */
  async getGroup(groupId: string): Promise<StoredGroup | null> {
    const key = this.groupKey(groupId);
    const value = await this.redis.get(key);
    if (value === null) {
      return null;
    }
    const document = parseJson(key, value);
    if (!isRecord(document) || !('result' in document)) {
      throw new CorruptResultError(key, 'no "result" field');
    }
    const tuple = document.result;
    if (
      !Array.isArray(tuple) ||
      tuple.length !== 2 ||
      !Array.isArray(tuple[1])
    ) {
      throw new CorruptResultError(key, '"result" is not a GroupResult tuple');
    }
    const storedGroupId = resultId(key, tuple[0]);
    const childIds: string[] = [];
    for (const child of tuple[1] as unknown[]) {
      collectLeafIds(key, child, childIds);
    }
    return { groupId: storedGroupId, childIds };
  }

  /**
   * Deletes a saved group (`GroupResult.delete()`).
   *
   * @param groupId - the group id
   * @returns true when a key was removed
   */
  async deleteGroup(groupId: string): Promise<boolean> {
    return (await this.redis.del(this.groupKey(groupId))) > 0;
  }

  private taskKey(taskId: string): string {
    return taskMetaKey(taskId, this.keyPrefix);
  }

  private groupKey(groupId: string): string {
    return groupMetaKey(groupId, this.keyPrefix);
  }
}

// JSON.stringify(pendingMeta(id)), built around the one varying field: a
// batch writes (and may take back) a thousand of them.
const PENDING_DOCUMENT_HEAD = JSON.stringify(pendingMeta('')).slice(
  0,
  -'""}'.length,
);

function pendingDocument(taskId: string): string {
  return `${PENDING_DOCUMENT_HEAD}${JSON.stringify(taskId)}}`;
}

function pendingMeta(taskId: string): TaskMeta {
  return {
    status: TaskState.Pending,
    result: null,
    traceback: null,
    children: [],
    date_done: null,
    task_id: taskId,
  };
}

// Insertion order is the JSON key order, which follows Celery's `_get_result_meta`.
function buildTaskMeta(
  taskId: string,
  state: string,
  result: unknown,
  extra: StoreResultExtra,
): Record<string, unknown> {
  const meta: Record<string, unknown> = {
    status: state,
    result: result ?? null,
    traceback: extra.traceback ?? null,
    children: extra.children ?? [],
    date_done: isReadyState(state) ? celeryDateNow() : null,
  };
  if (extra.groupId) {
    meta.group_id = extra.groupId;
  }
  if (extra.parentId) {
    meta.parent_id = extra.parentId;
  }
  for (const field of EXTENDED_FIELDS) {
    if (extra[field] !== undefined) {
      meta[field] = extra[field];
    }
  }
  meta.task_id = taskId;
  return meta;
}

function unwrapReplies(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) {
    throw new Error('Redis transaction was discarded');
  }
  return replies.map(([error, reply]) => {
    if (error) {
      throw error;
    }
    return reply;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(key: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error: unknown) {
    throw new CorruptResultError(key, 'not valid JSON', error);
  }
}

function parseTaskMeta(key: string, value: string | null): TaskMeta | null {
  if (value === null) {
    return null;
  }
  const document = parseJson(key, value);
  if (!isRecord(document) || typeof document.status !== 'string') {
    throw new CorruptResultError(key, 'not an object with a string "status"');
  }
  return document as unknown as TaskMeta;
}

// `result_from_tuple` accepts `[id, parent]` or a bare id as the first element.
function resultId(key: string, idPart: unknown): string {
  if (typeof idPart === 'string') {
    return idPart;
  }
  if (Array.isArray(idPart) && typeof idPart[0] === 'string') {
    return idPart[0];
  }
  throw new CorruptResultError(key, 'a result tuple has no string id');
}

function collectLeafIds(key: string, node: unknown, into: string[]): void {
  if (!Array.isArray(node) || node.length !== 2) {
    throw new CorruptResultError(key, 'a child is not a result tuple');
  }
  const id = resultId(key, node[0]);
  const nested: unknown = node[1];
  if (nested === null) {
    into.push(id);
    return;
  }
  if (!Array.isArray(nested)) {
    throw new CorruptResultError(key, 'a child group has no member list');
  }
  for (const child of nested as unknown[]) {
    collectLeafIds(key, child, into);
  }
}
