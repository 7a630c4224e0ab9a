import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { CorruptResultError } from './errors/corrupt-result.error';
import { chordCounterKey, chordJoinKey, chordSizeKey } from './result-keys';

// Celery's part-return pipeline (ZADD, ZCOUNT, GET .t, GET .s, EXPIREs) as
// one script: atomic as MULTI was, and a plain command, so ioredis'
// auto-pipelining sends it in the same write as the part's result, after it.
const ADD_PART_LUA = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local ready = redis.call('ZCOUNT', KEYS[1], '-inf', '+inf')
local added = redis.call('GET', KEYS[2])
local size = redis.call('GET', KEYS[3])
if tonumber(ARGV[3]) > 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
return {ready, added, size}
`;

const ADD_PART_SHA = createHash('sha1').update(ADD_PART_LUA).digest('hex');

/** One finished header task, as a chord part in `.j`: `[1, id, state, result]`. */
export interface ChordPart {
  taskId: string;
  state: string;
  result: unknown;
}

/** What `addPart` saw, in the same atomic step as its own write. */
export interface ChordProgress {
  /** Parts stored so far, this one included. */
  readyCount: number;
  /** The header's size (`.s`), or null when not set (yet). */
  size: number | null;
  /** Parts added to the chord at run time (`.t`, `Task.add_to_chord`). */
  added: number;
}

/**
 * Celery's native Redis chord (celery-protocol.md §C.7): header results in
 * the ZSET `celery-taskset-meta-<gid>.j` scored by group index, the size in
 * `.s`. Whichever worker stores the last part publishes the body.
 */
export class ChordRepository {
  constructor(
    private readonly redis: Redis,
    private readonly options: { expiresSeconds: number; keyPrefix?: string },
  ) {}

  /** Celery's `set_chord_size`: SETEX + PUBLISH on `.s`, before the header runs. */
  async setSize(groupId: string, size: number): Promise<void> {
    const key = chordSizeKey(groupId, this.options.keyPrefix);
    const transaction = this.redis.multi();
    if (this.options.expiresSeconds > 0) {
      transaction.setex(key, this.options.expiresSeconds, String(size));
    } else {
      transaction.set(key, String(size));
    }
    transaction.publish(key, String(size));
    await transaction.exec();
  }

  /**
   * Adds one part and reads the chord's progress atomically, so exactly one
   * of several workers finishing together sees the chord complete.
   *
   * @param member - `[1, id, state, result]` as Python's json.dumps writes
   *   it: identical bytes make a redelivered part a no-op (ZADD).
   */
  async addPart(
    groupId: string,
    groupIndex: number | null,
    member: string,
  ): Promise<ChordProgress> {
    const { keyPrefix, expiresSeconds } = this.options;
    const args = [
      3,
      chordJoinKey(groupId, keyPrefix),
      chordCounterKey(groupId, keyPrefix),
      chordSizeKey(groupId, keyPrefix),
      groupIndex === null ? '+inf' : String(groupIndex),
      member,
      Math.max(0, Math.trunc(expiresSeconds)),
    ] as const;
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(ADD_PART_SHA, ...args);
    } catch (error) {
      // EVAL loads the script where Redis lacks it (a restart, SCRIPT FLUSH).
      if (!String((error as Error | null)?.message).startsWith('NOSCRIPT')) {
        throw error;
      }
      reply = await this.redis.eval(ADD_PART_LUA, ...args);
    }
    const [ready, added, size] = reply as [
      number,
      string | null,
      string | null,
    ];
    return {
      readyCount: Number(ready),
      size: size === null ? null : Number(size),
      added: added === null ? 0 : Number(added),
    };
  }

  /** Every stored part, in group-index order. */
  async readParts(groupId: string): Promise<ChordPart[]> {
    const key = chordJoinKey(groupId, this.options.keyPrefix);
    const members = await this.redis.zrange(key, '0', '-1');
    return members.map((member) => parsePart(key, member));
  }

  /** Removes the chord's keys once its body is on its way. */
  async delete(groupId: string): Promise<void> {
    const { keyPrefix } = this.options;
    await this.redis.del(
      chordJoinKey(groupId, keyPrefix),
      chordCounterKey(groupId, keyPrefix),
      chordSizeKey(groupId, keyPrefix),
    );
  }
}

function parsePart(key: string, member: string): ChordPart {
  let decoded: unknown;
  try {
    decoded = JSON.parse(member);
  } catch {
    throw new CorruptResultError(key, 'a chord part is not JSON');
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 4 ||
    typeof decoded[1] !== 'string' ||
    typeof decoded[2] !== 'string'
  ) {
    throw new CorruptResultError(
      key,
      'a chord part is not [1, id, state, result]',
    );
  }
  return {
    taskId: decoded[1],
    state: decoded[2],
    result: decoded[3] as unknown,
  };
}
