import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { taskMetaKey } from './result-keys';
import type { TaskMeta } from './task-meta';

type Listener = (meta: TaskMeta) => void;

/**
 * Watches task results as Celery's own clients do: SUBSCRIBE to the channel
 * named like the result key, which the worker PUBLISHes to on every state
 * write. One subscriber connection for the whole app, one channel per
 * watched task.
 */
export class ResultWaiter implements OnApplicationShutdown {
  private readonly logger = new Logger(ResultWaiter.name);
  private readonly listeners = new Map<string, Set<Listener>>();
  // Opened on the first watch: apps that never wait hold no extra connection.
  private subscriber?: Redis;

  constructor(
    private readonly redis: Redis,
    private readonly options: { keyPrefix?: string } = {},
  ) {}

  private connection(): Redis {
    if (!this.subscriber) {
      const subscriber = this.redis.duplicate({
        connectionName: 'celeriac-results-sub',
        // SUBSCRIBE replies are not pipeline replies.
        enableAutoPipelining: false,
        // A fail-fast parent would refuse the first SUBSCRIBE, sent before
        // this connection is up; a subscription has no reply to time out.
        enableOfflineQueue: true,
        commandTimeout: undefined,
      });
      subscriber.on('message', (channel: string, json: string) =>
        this.deliver(channel, json),
      );
      // ioredis resubscribes after a reconnect (a Redis restart, a Sentinel
      // failover); a state written while it was away was published to no
      // one, so read every watched key again.
      let connectedBefore = false;
      subscriber.on('ready', () => {
        if (connectedBefore) {
          void this.rereadWatched();
        }
        connectedBefore = true;
      });
      subscriber.on('error', (error: Error) =>
        this.logger.warn({
          msg: 'result subscriber error',
          err: error.message,
        }),
      );
      this.subscriber = subscriber;
    }
    return this.subscriber;
  }

  /**
   * Calls `listener` with every state written for `taskId` from now on;
   * resolves once the subscription is active (so no later write is missed).
   * @returns a function that stops watching
   */
  async watch(taskId: string, listener: Listener): Promise<() => void> {
    const channel = taskMetaKey(taskId, this.options.keyPrefix);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      await this.connection().subscribe(channel);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(channel);
      current?.delete(listener);
      if (current && current.size === 0) {
        this.listeners.delete(channel);
        void this.subscriber?.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    this.subscriber?.disconnect();
    await Promise.resolve();
  }

  private async rereadWatched(): Promise<void> {
    const channels = [...this.listeners.keys()];
    if (channels.length === 0) {
      return;
    }
    if (this.redis.status !== 'ready') {
      // A fail-fast client refuses commands until it is back too.
      await new Promise((resolve) => this.redis.once('ready', resolve));
    }
    try {
      const values = await this.redis.mget(channels);
      values.forEach((json, index) => {
        if (json !== null) {
          this.deliver(channels[index], json);
        }
      });
    } catch (error) {
      this.logger.warn({
        msg: 'watched results not read after a reconnect',
        err: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private deliver(channel: string, json: string): void {
    const listeners = this.listeners.get(channel);
    if (!listeners) {
      return;
    }
    let meta: TaskMeta;
    try {
      meta = JSON.parse(json) as TaskMeta;
    } catch {
      return;
    }
    for (const listener of [...listeners]) {
      listener(meta);
    }
  }
}
