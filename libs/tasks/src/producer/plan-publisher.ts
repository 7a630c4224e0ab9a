import { Injectable, Optional } from '@nestjs/common';
import { CeleryClient } from '@celeriac/broker';
import { ChordRepository, ResultRepository } from '@celeriac/results';
import { DelayedTaskScheduler } from '@celeriac/schedule';
import type { CanvasPlan } from '../canvas/canvas-plan';

/**
 * Sends a planned canvas: marks every id PENDING (so a reader can tell
 * "queued" from "unknown"), stores chord sizes and group results, then
 * publishes each message with publisher confirms, or, when its ETA is
 * beyond BEAT_DELAY_THRESHOLD, stores it as a delayed job that beat
 * publishes when due. The api's producer and a worker continuing a
 * workflow use the same path.
 */
@Injectable()
export class PlanPublisher {
  constructor(
    private readonly client: CeleryClient,
    private readonly results: ResultRepository,
    private readonly chords: ChordRepository,
    @Optional() private readonly delayed?: DelayedTaskScheduler,
  ) {}

  async publish(plan: CanvasPlan): Promise<void> {
    await this.results.markManyPending(plan.taskIds);
    await Promise.all([
      ...plan.chords.map(({ groupId, size }) =>
        this.chords.setSize(groupId, size),
      ),
      ...plan.groups.map(({ groupId, childIds }) =>
        this.results.saveGroup(groupId, childIds),
      ),
    ]);
    await Promise.all(
      plan.messages.map(({ message, queue }) => {
        const delay = this.delayed?.delayOf(message) ?? null;
        return this.delayed && delay !== null
          ? this.delayed.schedule(message, queue, delay)
          : this.client.publishTask(message, queue);
      }),
    );
  }
}
