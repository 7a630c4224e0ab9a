import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RevokedRepository } from '@celeriac/results';
import type { RunHandle } from './time-limits';

/**
 * Celery's worker state for revokes: the ids this worker refuses to run,
 * and the running tasks that `revoke(..., terminate=True)` or a shutdown
 * can stop.
 */
@Injectable()
export class Revocations implements OnApplicationBootstrap {
  /** Ids revoked while this worker runs, plus those loaded at start. */
  private readonly revoked = new Set<string>();
  private readonly running = new Map<string, RunHandle>();
  private shuttingDown?: { reason: unknown };

  constructor(private readonly repository: RevokedRepository) {}

  /** Revokes issued while this worker was down still apply (for the result TTL). */
  async onApplicationBootstrap(): Promise<void> {
    this.remember(await this.repository.load());
  }

  remember(ids: Iterable<string>): void {
    for (const id of ids) {
      this.revoked.add(id);
    }
  }

  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  /** Ids refused here (Celery's `revoked` inspect reply). */
  revokedIds(): string[] {
    return [...this.revoked];
  }

  /**
   * Celery's `revoke`: these ids will not run here; with `terminate`, the
   * ones running now are stopped (signal aborted, slot freed, REVOKED).
   * @returns the ids that were running and got terminated
   */
  revoke(ids: readonly string[], terminate: boolean): string[] {
    const terminated: string[] = [];
    for (const id of ids) {
      this.revoked.add(id);
      const run = this.running.get(id);
      if (terminate && run) {
        run.terminate(new Error('terminated'));
        terminated.push(id);
      }
    }
    return terminated;
  }

  /** A task started running; aborted at once when shutdown already began. */
  track(id: string, run: RunHandle): void {
    this.running.set(id, run);
    if (this.shuttingDown) {
      run.abort(this.shuttingDown.reason);
    }
  }

  untrack(id: string): void {
    this.running.delete(id);
  }

  /** Shutdown: every running task's signal is aborted, and every later one's. */
  abortAll(reason: unknown): void {
    this.shuttingDown ??= { reason };
    for (const run of this.running.values()) {
      run.abort(reason);
    }
  }
}
