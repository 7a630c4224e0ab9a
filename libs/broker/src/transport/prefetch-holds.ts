import type { ConfirmChannel } from 'amqplib';

/**
 * The consumer channel's prefetch, raised by one for each ETA message held
 * unacked (Celery's `qos.increment_eventually`), so held tasks do not starve
 * the others. Holds count per channel: one taken on a channel that has
 * since been replaced (a reconnect) no longer changes the prefetch.
 */
export class PrefetchHolds {
  private generation = 0;
  private held = 0;
  // Per channel (global) QoS, unless it consumes a quorum queue.
  private globalQos = true;

  constructor(private readonly prefetch: number) {}

  /** The prefetch now: the configured one plus held ETA messages. */
  get count(): number {
    return this.prefetch + this.held;
  }

  /** A new channel: sets its prefetch; holds on the old channel lapse. */
  async reset(channel: ConfirmChannel, globalQos: boolean): Promise<void> {
    this.globalQos = globalQos;
    await channel.prefetch(this.prefetch, globalQos);
    this.generation += 1;
    this.held = 0;
  }

  /** Raises the prefetch by one until the returned function runs. */
  hold(channel: ConfirmChannel): () => void {
    // A per-consumer prefetch applies to consumers created after it, never
    // to running ones: with quorum queues a held ETA message keeps its slot
    // (as in Celery 5.5), which is why long ETAs are handed off instead.
    if (!this.globalQos) {
      return () => undefined;
    }
    const generation = this.generation;
    const apply = () => {
      if (generation === this.generation) {
        channel.prefetch(this.count, true).catch(() => undefined);
      }
    };
    this.held += 1;
    apply();
    let released = false;
    return () => {
      if (released || generation !== this.generation) {
        return;
      }
      released = true;
      this.held -= 1;
      apply();
    };
  }
}
