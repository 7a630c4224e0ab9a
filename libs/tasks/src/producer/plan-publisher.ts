import { Injectable, Logger, Optional } from '@nestjs/common';
import {
  BatchPublishError,
  CeleryClient,
  type PublishRequest,
} from '@celeriac/broker';
import {
  asResultBackendError,
  ChordRepository,
  ResultBackendUnavailableError,
  ResultRepository,
} from '@celeriac/results';
import { DelayedTaskScheduler } from '@celeriac/schedule';
import type { CanvasPlan } from '../canvas/canvas-plan';
import { PartiallyPublishedError } from '../errors/partially-published.error';

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
 * `ResultBackendUnavailableError` when a dependency was down. A plain batch
 * (every id its own message, no group, no chord) of which only some
 * publishes failed keeps the marks of those confirmed and rejects with
 * {@link PartiallyPublishedError}, naming both.
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
    // Ids of messages whose publish (or delayed scheduling) failed.
    const failed = new Set<string>();
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
        await settleAll([marking, ...stores(), ...this.sendAll(plan, failed)]);
      } else {
        await marking;
        await settleAll(stores());
        await settleAll(this.sendAll(plan, failed));
      }
    } catch (error) {
      const partial = partialFailure(plan, failed, error);
      if (partial) {
        await this.takeBack(
          plan,
          marked.filter((id) => failed.has(id)),
        );
        throw partial;
      }
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
  private sendAll(plan: CanvasPlan, failed: Set<string>): Promise<unknown>[] {
    const now: PublishRequest[] = [];
    const later: Promise<unknown>[] = [];
    const failing = (id: string) => (error: unknown) => {
      failed.add(id);
      throw error;
    };
    for (const request of plan.messages) {
      const delay = this.client.delaysNatively
        ? null
        : (this.delayed?.delayOf(request.message) ?? null);
      if (this.delayed && delay !== null) {
        later.push(
          this.delayed
            .schedule(request.message, request.queue, delay)
            .catch(failing(request.message.headers.id)),
        );
      } else {
        now.push(request);
      }
    }
    const published = this.client.publishTasks(now).catch((error: unknown) => {
      const indexes =
        error instanceof BatchPublishError
          ? error.failedIndexes
          : now.map((_, index) => index);
      for (const index of indexes) {
        failed.add(now[index].message.headers.id);
      }
      throw error;
    });
    return [published, ...later];
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
 * The error of a plain batch (each id its own message, no group or chord)
 * of which some messages were sent and some not, or undefined when the
 * failure is not of that kind (nothing sent, or a canvas).
 */
function partialFailure(
  plan: CanvasPlan,
  failed: ReadonlySet<string>,
  error: unknown,
): PartiallyPublishedError | undefined {
  const plain =
    !plan.continuation &&
    plan.groups.length === 0 &&
    plan.chords.length === 0 &&
    plan.taskIds.length === plan.messages.length;
  if (!plain || failed.size === 0 || failed.size === plan.messages.length) {
    return undefined;
  }
  return new PartiallyPublishedError(
    plan.messages.map(({ message }) => message.headers.id),
    new Set(failed),
    error,
  );
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
