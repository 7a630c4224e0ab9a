import type { ConcurrencyLeases } from './concurrency-leases';

interface Waiter {
  taskId: string;
  admit: () => void;
  fail: (error: unknown) => void;
}

/**
 * This worker's tasks waiting for one concurrency key. One loop per key
 * asks Redis (every `pollMs`, or at once when a lease of the key ends
 * here) which of them may run; tasks of other keys never wait behind it.
 */
export class KeyGate {
  private readonly waiters = new Map<string, Waiter>();
  private joining: string[] = [];
  private limit = 1;
  private looping = false;
  private wake: (() => void) | null = null;

  constructor(
    readonly key: string,
    private readonly leases: ConcurrencyLeases,
    private readonly pollMs: number,
    private readonly onStray: (taskId: string) => void,
  ) {}

  /** Tasks of this key waiting here now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once `taskId` holds a lease of the key; rejects when `signal`
   * aborts first or Redis fails.
   */
  wait(taskId: string, limit: number, signal: AbortSignal): Promise<void> {
    this.limit = limit;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(taskId);
        reject(toError(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(taskId, {
        taskId,
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(toError(error));
        },
      });
      this.joining.push(taskId);
      this.poke();
    });
  }

  /** Ask Redis now (a lease of this key just ended, or a task joined). */
  poke(): void {
    if (this.wake) {
      this.wake();
    } else if (!this.looping) {
      this.looping = true;
      void this.loop();
    }
  }

  private async loop(): Promise<void> {
    try {
      while (this.waiters.size > 0 || this.joining.length > 0) {
        const joining = this.joining;
        this.joining = [];
        let admitted: string[];
        try {
          admitted = await this.leases.acquire(this.key, this.limit, joining);
        } catch (error) {
          this.failAll(error);
          return;
        }
        for (const taskId of admitted) {
          const waiter = this.waiters.get(taskId);
          if (waiter) {
            this.waiters.delete(taskId);
            waiter.admit();
          } else {
            // Gave up waiting meanwhile (shutdown): hand the slot back.
            this.onStray(taskId);
          }
        }
        if (this.waiters.size > 0 && this.joining.length === 0) {
          await this.pause();
        }
      }
    } finally {
      this.looping = false;
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
    });
  }

  private failAll(error: unknown): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.joining = [];
    for (const waiter of waiters) {
      waiter.fail(error);
    }
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
