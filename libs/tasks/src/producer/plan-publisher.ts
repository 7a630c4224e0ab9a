import { Injectable, Logger, Optional } from '@nestjs/common';
import { CeleryClient, type PublishRequest } from '@celeriac/broker';
import {
  asResultBackendError,
  ChordRepository,
  ResultBackendUnavailableError,
  ResultRepository,
} from '@celeriac/results';
import { DelayedTaskScheduler } from '@celeriac/schedule';
import type { CanvasPlan } from '../canvas/canvas-plan';

/**
 * Sends a planned canvas: marks every id PENDING (so a reader can tell
 * "queued" from "unknown"), stores chord sizes and group results, then
 * publishes each message with publisher confirms, or, when its ETA is
 * beyond BEAT_DELAY_THRESHOLD, stores it as a delayed job that beat
 * publishes when due. The api's producer and a worker continuing a
 * workflow use the same path.
 *
 * A worker's continuation (`plan.continuation`, e.g. a chain's next step)
 * without chords sends its marks and its publishes at once and awaits both:
 * nobody outside the workflow knows its ids yet, a mark never overwrites a
 * state (SET NX), and a chain step then costs no Redis round trip before
 * its publish. A chord's size is always stored before its header is
 * published, or its last part could not tell it was the last.
 *
 * When any step fails it takes back what it wrote (the PENDING marks it
 * set, compare-and-delete, the group and chord keys), so no id nobody
 * received stays PENDING, and rejects with `BrokerUnavailableError` or
 * `ResultBackendUnavailableError` when a dependency was down.
 */
@Injectable()
export class PlanPublisher {
  private readonly logger = new Logger(PlanPublisher.name);

  constructor(
    private readonly client: CeleryClient,
    private readonly results: ResultRepository,
    private readonly chords: ChordRepository,
    @Optional() private readonly delayed?: DelayedTaskScheduler,
  ) {}

  async publish(plan: CanvasPlan): Promise<void> {
    // Refuse before writing anything when the broker is known to be down.
    this.client.assertAvailable();
    const ids = idsToMark(plan);
    // Until the marks are known written, any of them may have been: the ids
    // are new, and compare-and-delete leaves any other state alone.
    let marked: readonly string[] = ids;
    try {
      const marking = this.results.markManyPending(ids).then((written) => {
        marked = ids.filter((_, index) => written[index]);
      });
      const stores = () => [
        ...plan.chords.map(({ groupId, size }) =>
          this.chords.setSize(groupId, size),
        ),
        ...plan.groups.map(({ groupId, childIds }) =>
          this.results.saveGroup(groupId, childIds),
        ),
      ];
      if (plan.continuation && plan.chords.length === 0) {
        await settleAll([marking, ...stores(), ...this.sendAll(plan)]);
      } else {
        await marking;
        await settleAll(stores());
        await settleAll(this.sendAll(plan));
      }
    } catch (error) {
      const failure = asResultBackendError(error);
      const takenBack = this.takeBack(plan, marked);
      // With Redis unreachable the take-back cannot be confirmed either: it
      // is sent (after the marks, on the same connection) but not awaited,
      // so the caller still gets its answer quickly.
      if (!(failure instanceof ResultBackendUnavailableError)) {
        await takenBack;
      }
      throw failure;
    }
  }

  // Immediate messages go out as one batch of confirmed publishes; delayed
  // ones wait in BullMQ (native countdowns wait in RabbitMQ instead).
  private sendAll(plan: CanvasPlan): Promise<unknown>[] {
    const now: PublishRequest[] = [];
    const later: Promise<unknown>[] = [];
    for (const request of plan.messages) {
      const delay = this.client.delaysNatively
        ? null
        : (this.delayed?.delayOf(request.message) ?? null);
      if (this.delayed && delay !== null) {
        later.push(
          this.delayed.schedule(request.message, request.queue, delay),
        );
      } else {
        now.push(request);
      }
    }
    return [this.client.publishTasks(now), ...later];
  }

  // Best effort; a failure is logged, the caller gets the original error.
  private async takeBack(
    plan: CanvasPlan,
    marked: readonly string[],
  ): Promise<void> {
    try {
      await Promise.all([
        this.results.unmarkPending(marked),
        ...plan.groups.map(({ groupId }) => this.results.deleteGroup(groupId)),
        ...plan.chords.map(({ groupId }) => this.chords.delete(groupId)),
      ]);
    } catch (error) {
      this.logger.warn({
        msg: 'could not take back the marks of an unpublished plan',
        taskId: plan.taskId,
        err: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

/**
 * Every id of a submitted plan (so `/result` knows even the last step of a
 * chain); a worker's continuation marks only the messages it sends now:
 * the ids further along were marked when the workflow was submitted (or,
 * sent by a Python client, are unmarked as Celery leaves them), and a
 * chain of n steps would otherwise write n²/2 marks.
 */
function idsToMark(plan: CanvasPlan): string[] {
  return plan.continuation
    ? plan.messages.map(({ message }) => message.headers.id)
    : plan.taskIds;
}

/**
 * Awaits every promise (none is left running unobserved), then rejects
 * with the first failure, if any.
 */
async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(promises);
  const failed = outcomes.find(
    (outcome): outcome is PromiseRejectedResult =>
      outcome.status === 'rejected',
  );
  if (failed) {
    throw failed.reason;
  }
}
