/**
 * At most `limit` holders at once; the others wait in arrival order.
 * Prefetch alone cannot bound concurrency once held ETA tasks raise it.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** A release function when a slot is free now, else null (no promise). */
  tryAcquire(): (() => void) | null {
    if (this.active >= this.limit) {
      return null;
    }
    this.active += 1;
    return this.releaser();
  }

  /** Resolves with a release function once a slot is free. */
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    return this.releaser();
  }

  // The slot passes straight to the next waiter, so `active` stays counted.
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) {
        return;
      }
      released = true;
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.active -= 1;
      }
    };
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }
}
