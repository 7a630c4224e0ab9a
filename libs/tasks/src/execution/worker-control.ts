import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RevokedRepository } from '@celeriac/results';
import { TaskEvents } from './task-events';
import { TaskExecutor } from './task.executor';

/**
 * The worker's answers to Celery's remote control (pidbox, §D.7). Commands
 * it does not know get no reply, as Flower expects.
 */
@Injectable()
export class WorkerControl implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkerControl.name);

  constructor(
    private readonly executor: TaskExecutor,
    private readonly revoked: RevokedRepository,
    private readonly events: TaskEvents,
  ) {}

  /** Revokes issued while this worker was down still apply (for the result TTL). */
  async onApplicationBootstrap(): Promise<void> {
    this.executor.rememberRevoked(await this.revoked.load());
  }

  /** A `ControlHandler` for `CeleryServer`'s `control` option. */
  readonly handle = async (
    method: string,
    args: Record<string, unknown>,
  ): Promise<unknown> => {
    switch (method) {
      case 'ping':
        return { ok: 'pong' };
      case 'revoke':
        return this.revoke(args);
      case 'enable_events':
        this.events.setTaskEvents(true);
        return { ok: 'task events enabled' };
      case 'disable_events':
        this.events.setTaskEvents(false);
        return { ok: 'task events disabled' };
      case 'heartbeat':
        this.events.beat();
        return undefined;
      default:
        return undefined;
    }
  };

  // Celery: revoke(task_id: str | [str], terminate=False, signal='SIGTERM').
  private async revoke(args: Record<string, unknown>): Promise<unknown> {
    const raw = args.task_id;
    const ids = (Array.isArray(raw) ? raw : [raw]).filter(
      (id): id is string => typeof id === 'string' && id !== '',
    );
    if (ids.length === 0) {
      return { error: 'revoke needs task_id' };
    }
    await this.revoked.revoke(ids);
    const terminated = this.executor.revoke(ids, args.terminate === true);
    this.logger.log({ msg: 'tasks revoked', taskIds: ids, terminated });
    return { ok: `tasks ${ids.join(', ')} flagged as revoked` };
  }
}
