import { AggregatorRegistry, type Registry } from 'prom-client';
import {
  METRICS_GATHER,
  METRICS_PART,
  type MetricsJson,
  type MetricsMessage,
} from './metrics-messages';

/** How long the primary waits for a worker's registry before leaving it out. */
export const METRICS_GATHER_TIMEOUT_MS = 2_000;

/** A worker the primary can ask for its registry. */
export interface GatherTarget {
  readonly id: number;
  send(message: MetricsMessage): unknown;
}

interface OpenGather {
  readonly parts: MetricsJson[];
  readonly waiting: Set<number>;
  finish(): void;
}

/**
 * The primary's side of the metrics messages: asks every listening worker
 * for its registry and sums them with prom-client's aggregator (counters and
 * histograms add up; each default metric says how it combines), plus the
 * primary's own registry. A worker that does not answer in time (it is
 * dying) is left out rather than failing the scrape.
 */
export class MetricsGatherer {
  private nextId = 0;
  private readonly open = new Map<number, OpenGather>();

  constructor(
    private readonly own: Registry,
    private readonly timeoutMs = METRICS_GATHER_TIMEOUT_MS,
  ) {}

  /** The sum of every target's registry and the primary's, as Prometheus text. */
  async gather(targets: readonly GatherTarget[]): Promise<string> {
    const id = this.nextId++;
    const parts: MetricsJson[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.timeoutMs);
      const waiting = new Set(targets.map((target) => target.id));
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
      this.open.set(id, { parts, waiting, finish });
      for (const target of targets) {
        target.send({ type: METRICS_GATHER, id });
      }
      if (waiting.size === 0) {
        finish();
      }
    });
    this.open.delete(id);
    parts.push(await this.own.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(parts).metrics();
  }

  /** A worker's answer to a gather. */
  receive(workerId: number, message: MetricsMessage): void {
    if (message.type !== METRICS_PART) {
      return;
    }
    const gather = this.open.get(message.id);
    if (gather?.waiting.delete(workerId)) {
      gather.parts.push(message.metrics);
      if (gather.waiting.size === 0) {
        gather.finish();
      }
    }
  }

  /** A worker exited: no open gather waits for it any longer. */
  forget(workerId: number): void {
    for (const gather of this.open.values()) {
      if (gather.waiting.delete(workerId) && gather.waiting.size === 0) {
        gather.finish();
      }
    }
  }
}
