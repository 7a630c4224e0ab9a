import { jest } from '@jest/globals';
import { ServiceUnavailableException } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { MetricsGatherer } from './metrics-gatherer';
import {
  isMetricsMessage,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsMessage,
} from './metrics-messages';
import { type PrimaryChannel, WorkerMetrics } from './worker-metrics';

/** One worker's end of the IPC channel, wired to a primary in this process. */
class Channel implements PrimaryChannel {
  private listener?: (message: unknown) => void;
  constructor(
    readonly id: number,
    private readonly toPrimary: (
      from: Channel,
      message: MetricsMessage,
    ) => void,
  ) {}
  send(message: MetricsMessage): void {
    setImmediate(() => this.toPrimary(this, message));
  }
  on(_event: 'message', listener: (message: unknown) => void): void {
    this.listener = listener;
  }
  deliver(message: unknown): void {
    setImmediate(() => this.listener?.(message));
  }
}

function workerWithSubmissions(
  count: number,
  channel: Channel,
  timeoutMs?: number,
): WorkerMetrics {
  const registry = new Registry();
  new Counter({
    name: 'celeriac_api_task_submissions_total',
    help: 'test',
    labelNames: ['outcome'],
    registers: [registry],
  }).inc({ outcome: 'confirmed' }, count);
  return new WorkerMetrics(registry, channel, timeoutMs);
}

describe(WorkerMetrics.name, () => {
  it("shows the sum of every worker's counters, whichever worker is asked", async () => {
    const gatherer = new MetricsGatherer(new Registry(), 1_000);
    const channels: Channel[] = [];
    const primary = (from: Channel, message: MetricsMessage) => {
      if (message.type === METRICS_REQUEST) {
        void gatherer
          .gather(
            channels.map((channel) => ({
              id: channel.id,
              send: (gather) => channel.deliver(gather),
            })),
          )
          .then((text) =>
            from.deliver({ type: METRICS_REPLY, id: message.id, text }),
          );
      } else {
        gatherer.receive(from.id, message);
      }
    };
    channels.push(new Channel(1, primary), new Channel(2, primary));
    const first = workerWithSubmissions(3, channels[0]);
    const second = workerWithSubmissions(4, channels[1]);

    const total = 'celeriac_api_task_submissions_total{outcome="confirmed"} 7';
    expect(await first.metrics()).toContain(total);
    expect(await second.metrics()).toContain(total);
  });

  it('answers 503 when the primary does not reply', async () => {
    jest.useFakeTimers();
    try {
      const silent = new Channel(1, () => undefined);
      const worker = workerWithSubmissions(1, silent, 5_000);
      const metrics = worker.metrics();
      jest.advanceTimersByTime(5_000);
      await expect(metrics).rejects.toBeInstanceOf(ServiceUnavailableException);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells its messages from the ones node:cluster and prom-client send', () => {
    expect(isMetricsMessage({ type: METRICS_REQUEST, id: 1 })).toBe(true);
    expect(isMetricsMessage({ cmd: 'NODE_CLUSTER', act: 'online' })).toBe(
      false,
    );
    expect(
      isMetricsMessage({ type: 'prom-client:getMetricsReq', requestId: 1 }),
    ).toBe(false);
    expect(isMetricsMessage('celeriac:metrics-request')).toBe(false);
  });
});
