import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@celeriac/results';
import { DONE_TTL_SECONDS, PENDING_TTL_SECONDS } from './idempotency.constants';
import {
  type DoneRecord,
  type IdempotencyRecord,
  parseIdempotencyRecord,
  type PendingRecord,
} from './idempotency-record';

/** The outcome of {@link IdempotencyStore.claim}. */
export type IdempotencyClaim =
  | { claimed: true; pending: PendingRecord }
  | { claimed: false; record: IdempotencyRecord };

// Deletes the key only while it still holds this request's pending record:
// once that expired, another request may own the key.
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

// A claim whose key vanished between SET NX and GET (it expired) tries again.
const CLAIM_ATTEMPTS = 3;

/** Idempotency records in Redis, one string key per scoped key. */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /**
   * Takes the key for this request with a short-lived pending record, or
   * returns the record already there.
   */
  async claim(key: string, bodyHash: string): Promise<IdempotencyClaim> {
    const pending: PendingRecord = {
      state: 'pending',
      bodyHash,
      owner: randomUUID(),
    };
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const set = await this.redis.set(
        key,
        JSON.stringify(pending),
        'EX',
        PENDING_TTL_SECONDS,
        'NX',
      );
      if (set === 'OK') {
        return { claimed: true, pending };
      }
      const existing = await this.redis.get(key);
      if (existing !== null) {
        return { claimed: false, record: parseIdempotencyRecord(existing) };
      }
    }
    throw new Error(`Could not claim idempotency key ${key}`);
  }

  /** Stores the answer, replacing the pending record, for a day. */
  async complete(key: string, done: DoneRecord): Promise<void> {
    await this.redis.set(key, JSON.stringify(done), 'EX', DONE_TTL_SECONDS);
  }

  /** Frees the key after a failed request so that a retry runs. */
  async release(key: string, pending: PendingRecord): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, key, JSON.stringify(pending));
  }
}
