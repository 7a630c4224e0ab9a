import { Injectable, Logger } from '@nestjs/common';
import { ControlClient } from '@celeriac/broker';

/** Flower's `Inspector.methods`: what it asks every worker. */
export const INSPECT_METHODS = [
  'stats',
  'active_queues',
  'registered',
  'scheduled',
  'active',
  'reserved',
  'revoked',
  'conf',
] as const;

/** Flower's default `inspect_timeout` (1 s). */
const INSPECT_TIMEOUT_SECONDS = 1;

/** One worker as `GET /api/workers` shows it: each method's reply and when it came. */
export type InspectedWorker = Partial<
  Record<(typeof INSPECT_METHODS)[number], unknown>
> & { timestamp?: number };

/**
 * Flower's `Inspector`: asks the workers over the pidbox for the eight
 * inspect methods, in parallel, and keeps the last answers per worker. A
 * worker that does not answer a method (a celeriac worker that only
 * answers ping) simply lacks that key.
 */
@Injectable()
export class WorkerInspector {
  private readonly logger = new Logger(WorkerInspector.name);
  readonly workers = new Map<string, InspectedWorker>();
  private inFlight?: Promise<void>;

  constructor(private readonly control: ControlClient) {}

  /** Refreshes every worker (or one); concurrent calls share one round. */
  inspect(workername?: string): Promise<void> {
    if (workername !== undefined) {
      return this.round(workername);
    }
    this.inFlight ??= this.round().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** The queue names the workers said they consume (`active_queues`). */
  activeQueueNames(): string[] {
    const names = new Set<string>();
    for (const info of this.workers.values()) {
      if (!Array.isArray(info.active_queues)) {
        continue;
      }
      for (const queue of info.active_queues as unknown[]) {
        const name = (queue as { name?: unknown } | null)?.name;
        if (typeof name === 'string') {
          names.add(name);
        }
      }
    }
    return [...names];
  }

  private async round(workername?: string): Promise<void> {
    const destination = workername ? [workername] : null;
    await Promise.all(
      INSPECT_METHODS.map(async (method) => {
        try {
          const replies = await this.control.broadcast(method, {
            reply: true,
            destination,
            timeout: INSPECT_TIMEOUT_SECONDS,
          });
          for (const reply of replies) {
            for (const [hostname, answer] of Object.entries(reply)) {
              this.update(hostname, method, answer);
            }
          }
        } catch (error) {
          this.logger.warn({
            msg: 'inspect failed',
            method,
            err: String(error),
          });
        }
      }),
    );
  }

  private update(hostname: string, method: string, answer: unknown): void {
    // An {"error": ...} answer is the worker saying it cannot: not stored,
    // as Flower's pages break on it (celery-protocol.md §D.6).
    if (
      typeof answer === 'object' &&
      answer !== null &&
      !Array.isArray(answer) &&
      Object.keys(answer).length === 1 &&
      'error' in answer
    ) {
      return;
    }
    if (method === 'stats' && typeof answer === 'object' && answer !== null) {
      // Flower drops broker.alternates (its issue #1512).
      const broker = (answer as { broker?: Record<string, unknown> }).broker;
      if (broker && typeof broker === 'object') {
        delete broker.alternates;
      }
    }
    const info = this.workers.get(hostname) ?? {};
    (info as Record<string, unknown>)[method] = answer;
    info.timestamp = Date.now() / 1000;
    this.workers.set(hostname, info);
  }
}
