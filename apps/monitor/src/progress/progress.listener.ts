import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { REDIS_CLIENT } from '@celeriac/results';
import { progressOf } from '../history/history-loader';
import { EventsState } from '../state/events-state';
import { CanvasIndex } from '../workflow/canvas-index';

const PATTERN = 'celery-task-meta-*';

/**
 * Learns task progress, which Celery events do not carry: every state write
 * to the Redis backend is PUBLISHed on the key's own name, so one
 * PSUBSCRIBE on `celery-task-meta-*` sees each PROGRESS meta
 * (`update_state(state='PROGRESS', meta={current, total})`), and each
 * result's `group_id` (a workflow's groups, for workers whose events carry
 * no canvas field).
 */
@Injectable()
export class ProgressListener
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(ProgressListener.name);
  private subscriber?: Redis;
  ready: Promise<void> = Promise.resolve();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly state: EventsState,
    private readonly canvases: CanvasIndex,
  ) {}

  onApplicationBootstrap(): void {
    const subscriber = this.redis.duplicate({
      connectionName: 'celeriac-monitor-progress',
    });
    subscriber.on(
      'pmessage',
      (_pattern: string, channel: string, json: string) =>
        this.onMeta(channel, json),
    );
    subscriber.on('error', (error: Error) =>
      this.logger.warn({
        msg: 'progress subscriber error',
        err: error.message,
      }),
    );
    this.subscriber = subscriber;
    this.ready = subscriber
      .psubscribe(PATTERN)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'progress not followed', err: String(error) }),
      );
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }

  private onMeta(channel: string, json: string): void {
    let meta: {
      status?: unknown;
      result?: unknown;
      task_id?: unknown;
      name?: unknown;
      worker?: unknown;
      group_id?: unknown;
    };
    try {
      meta = JSON.parse(json) as typeof meta;
    } catch {
      return;
    }
    if (typeof meta !== 'object' || meta === null) {
      return;
    }
    const uuid =
      typeof meta.task_id === 'string'
        ? meta.task_id
        : channel.slice(PATTERN.length - 1);
    // Python workers' events name no group; their results do.
    if (typeof meta.group_id === 'string') {
      this.canvases.recordStoredGroup(uuid, meta.group_id);
    }
    if (meta.status !== 'PROGRESS') {
      return;
    }
    const progress = progressOf(meta.result);
    if (!progress) {
      return;
    }
    this.state.progress(uuid, progress, {
      ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
      ...(typeof meta.worker === 'string' ? { worker: meta.worker } : {}),
    });
  }
}
