import { Redis } from 'ioredis';
import { CorruptResultError } from './errors/corrupt-result.error';
import { chordCounterKey, chordJoinKey, chordSizeKey } from './result-keys';

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
    const join = chordJoinKey(groupId, keyPrefix);
    const counter = chordCounterKey(groupId, keyPrefix);
    const size = chordSizeKey(groupId, keyPrefix);
    const transaction = this.redis
      .multi()
      .zadd(join, groupIndex === null ? '+inf' : String(groupIndex), member)
      .zcount(join, '-inf', '+inf')
      .get(counter)
      .get(size);
    if (expiresSeconds > 0) {
      transaction
        .expire(join, expiresSeconds)
        .expire(counter, expiresSeconds)
        .expire(size, expiresSeconds);
    }
    const replies = (await transaction.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed?.[0]) {
      throw failed[0];
    }
    const value = (index: number): unknown => replies[index]?.[1];
    return {
      readyCount: Number(value(1)),
      size: value(3) === null ? null : Number(value(3)),
      added: value(2) === null ? 0 : Number(value(2)),
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
