import { Redis } from 'ioredis';
import { revokedKey } from './result-keys';

/** Options of {@link RevokedRepository}. */
export interface RevokedRepositoryOptions {
  /** How long a revoke holds, in seconds (the result TTL); 0 or less: forever. */
  expiresSeconds: number;
  /** Celery's `global_keyprefix`, if the Python peers use one. */
  keyPrefix?: string;
}

/**
 * Revoked task ids, shared by every worker and kept for the result TTL, so a
 * worker started after a `revoke` still refuses the task. Celery keeps them
 * in each worker's memory (`worker_state.revoked`) and a worker that starts
 * later learns them by mingle; here one Redis ZSET, `celeriac-revoked`,
 * holds them, each scored with its revoke time in ms.
 */
export class RevokedRepository {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly options: RevokedRepositoryOptions,
  ) {
    this.key = revokedKey(options.keyPrefix);
  }

  /**
   * Records the ids as revoked now (a repeated revoke renews its time), drops
   * the revokes older than the TTL and renews the key's own expiry.
   *
   * @param ids - task ids; none is a no-op
   */
  async revoke(ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    const now = Date.now();
    const members = ids.flatMap((id) => [now, id]);
    const transaction = this.redis.multi().zadd(this.key, ...members);
    const { expiresSeconds } = this.options;
    const oldest = this.oldestKept(now);
    if (oldest !== null) {
      transaction
        .zremrangebyscore(this.key, '-inf', `(${oldest}`)
        .expire(this.key, expiresSeconds);
    }
    const replies = (await transaction.exec()) ?? [];
    const failed = replies.find(([error]) => error);
    if (failed?.[0]) {
      throw failed[0];
    }
  }

  /** Every id revoked within the TTL, e.g. for a worker that is starting. */
  async load(): Promise<Set<string>> {
    const oldest = this.oldestKept(Date.now());
    const ids = await this.redis.zrangebyscore(
      this.key,
      oldest === null ? '-inf' : oldest,
      '+inf',
    );
    return new Set(ids);
  }

  /**
   * Whether the id was revoked within the TTL.
   *
   * @param id - a task id
   */
  async isRevoked(id: string): Promise<boolean> {
    const score = await this.redis.zscore(this.key, id);
    if (score === null) {
      return false;
    }
    const oldest = this.oldestKept(Date.now());
    return oldest === null || Number(score) >= oldest;
  }

  // Revokes scored below this are past the TTL; null when they never are.
  private oldestKept(now: number): number | null {
    const { expiresSeconds } = this.options;
    return expiresSeconds > 0 ? now - expiresSeconds * 1000 : null;
  }
}
