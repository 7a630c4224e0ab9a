/**
 * Kombu's `LamportClock`: the logical clock Celery nodes exchange in the
 * `clock` header of control messages and events. Share one instance between
 * the pidbox and an event dispatcher so the node has a single clock.
 */
export class LamportClock {
  private current: number;

  constructor(initial = 0) {
    this.current = initial;
  }

  /** The current value, without advancing it. */
  get value(): number {
    return this.current;
  }

  /** Advances the clock for a local event (sending) and returns the new value. */
  forward(): number {
    this.current += 1;
    return this.current;
  }

  /**
   * Merges a clock received from another node: max(ours, theirs) + 1.
   *
   * @param other - the received clock; anything not a finite number is ignored
   * @returns the new value
   */
  adjust(other: unknown): number {
    const received = typeof other === 'bigint' ? Number(other) : other;
    if (typeof received === 'number' && Number.isFinite(received)) {
      this.current = Math.max(this.current, Math.trunc(received));
    }
    this.current += 1;
    return this.current;
  }
}
