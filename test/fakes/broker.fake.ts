import {
  asBrokerUnavailable,
  BatchPublishError,
  BrokerUnavailableError,
  type CeleryClient,
  type DeadLetter,
  type TaskMessage,
} from '@celeriac/broker';

/** One confirmed publish. */
export interface Published {
  message: TaskMessage;
  queue: string;
}

/**
 * `CeleryClient` in memory: records confirmed publishes and dead letters;
 * `available = false` refuses as a client that knows the broker is down,
 * `onPublish` can refuse (throw) or delay one publish.
 */
export class FakeBroker {
  available = true;
  delaysNatively = false;
  readonly published: Published[] = [];
  readonly deadLetters: DeadLetter[] = [];
  onPublish: (message: TaskMessage) => Promise<void> = () => Promise.resolve();

  assertAvailable(): void {
    if (!this.available) {
      throw new BrokerUnavailableError('not connected (fake)');
    }
  }

  async publishTask(message: TaskMessage, queue: string): Promise<void> {
    await this.onPublish(message);
    this.published.push({ message, queue });
  }

  // As CeleryClient's: every publish settles, then which ones failed.
  async publishTasks(
    requests: { message: TaskMessage; queue: string }[],
  ): Promise<void> {
    if (requests.length > 0) {
      this.assertAvailable();
    }
    const outcomes = await Promise.allSettled(
      requests.map(({ message, queue }) => this.publishTask(message, queue)),
    );
    const failed = outcomes.flatMap((outcome, index) =>
      outcome.status === 'rejected' ? [{ index, reason: outcome.reason }] : [],
    );
    if (failed.length > 0) {
      throw new BatchPublishError(
        failed.map(({ index }) => index),
        asBrokerUnavailable(failed[0].reason, 0),
      );
    }
  }

  deadLetter(letter: DeadLetter): Promise<void> {
    this.deadLetters.push(letter);
    return Promise.resolve();
  }

  /** Ids published, in order. */
  publishedIds(): string[] {
    return this.published.map(({ message }) => message.headers.id);
  }
}

export const asClient = (fake: FakeBroker) => fake as unknown as CeleryClient;
