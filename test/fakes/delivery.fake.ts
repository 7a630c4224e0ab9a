import { randomUUID } from 'node:crypto';
import {
  buildTaskMessage,
  type TaskDelivery,
  type TaskMessage,
  type TaskMessageSpec,
} from '@celeriac/broker';

/**
 * A delivered task message that records how it was settled: `acks`,
 * `rejects` (with their requeue flag) and prefetch holds.
 */
export class FakeDelivery implements TaskDelivery {
  acks = 0;
  readonly rejects: boolean[] = [];
  holds = 0;
  readonly delivery = {
    exchange: '',
    routingKey: 'fake-queue',
    redelivered: false,
    deliveryTag: 1,
  };
  readonly raw: TaskDelivery['raw'];

  constructor(
    readonly message: TaskMessage,
    readonly queue = 'fake-queue',
  ) {
    this.raw = {
      content: Buffer.from(JSON.stringify([message.args, message.kwargs, {}])),
      properties: {} as TaskDelivery['raw']['properties'],
    };
  }

  get acknowledged(): boolean {
    return this.acks > 0;
  }

  /** How it ended: 'ack', 'requeue', 'drop', or 'open' while unsettled. */
  get settlement(): 'ack' | 'requeue' | 'drop' | 'open' {
    if (this.acks > 0) {
      return 'ack';
    }
    const last = this.rejects.at(-1);
    return last === undefined ? 'open' : last ? 'requeue' : 'drop';
  }

  ack(): void {
    this.acks += 1;
  }

  reject(requeue: boolean): void {
    this.rejects.push(requeue);
  }

  holdPrefetch(): () => void {
    this.holds += 1;
    return () => {
      this.holds -= 1;
    };
  }
}

/** A delivery of a fresh task message (`add_task(1, 2)` unless told). */
export function fakeDelivery(
  spec: Partial<TaskMessageSpec> = {},
  queue?: string,
): FakeDelivery {
  return new FakeDelivery(
    buildTaskMessage({
      task: 'add_task',
      id: randomUUID(),
      args: [1, 2],
      ...spec,
    }),
    queue,
  );
}
