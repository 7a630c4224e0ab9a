import { ServiceUnavailableException } from '@nestjs/common';
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import type { MetricsExposition } from '@celeriac/config';
import {
  isMetricsMessage,
  METRICS_GATHER,
  METRICS_PART,
  METRICS_REPLY,
  METRICS_REQUEST,
  type MetricsMessage,
} from './metrics-messages';

/** Longer than the primary's own wait for the workers' parts. */
export const METRICS_REPLY_TIMEOUT_MS = 5_000;

/** The IPC channel to the primary: `process` in a cluster worker. */
export interface PrimaryChannel {
  send(message: MetricsMessage): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/**
 * GET /metrics of the api. A single process shows its registry; a cluster
 * worker answers the primary's gathers with its registry and shows what the
 * primary summed over every worker, so counters are the whole api's.
 */
export function apiMetricsExposition(registry: Registry): MetricsExposition {
  if (!cluster.isWorker) {
    return { metrics: () => registry.metrics() };
  }
  return new WorkerMetrics(registry, processChannel());
}

function processChannel(): PrimaryChannel {
  return {
    send: (message) => process.send?.(message),
    on: (event, listener) => process.on(event, listener),
  };
}

/** A cluster worker's side of the metrics messages. */
export class WorkerMetrics implements MetricsExposition {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (text: string) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly registry: Registry,
    private readonly primary: PrimaryChannel,
    private readonly timeoutMs = METRICS_REPLY_TIMEOUT_MS,
  ) {
    primary.on('message', (message) => {
      if (isMetricsMessage(message)) {
        void this.receive(message);
      }
    });
  }

  /** The whole api's metrics, from the primary; 503 if it does not answer. */
  metrics(): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(unavailable('the cluster primary did not answer'));
      }, this.timeoutMs);
      this.waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.primary.send({ type: METRICS_REQUEST, id });
    });
  }

  private async receive(message: MetricsMessage): Promise<void> {
    if (message.type === METRICS_GATHER) {
      const metrics = await this.registry.getMetricsAsJSON();
      this.primary.send({ type: METRICS_PART, id: message.id, metrics });
      return;
    }
    if (message.type !== METRICS_REPLY) {
      return;
    }
    const waiter = this.waiting.get(message.id);
    this.waiting.delete(message.id);
    if (message.text !== undefined) {
      waiter?.resolve(message.text);
    } else {
      waiter?.reject(unavailable(message.error ?? 'no metrics'));
    }
  }
}

function unavailable(reason: string): Error {
  return new ServiceUnavailableException(`Metrics are unavailable: ${reason}.`);
}
