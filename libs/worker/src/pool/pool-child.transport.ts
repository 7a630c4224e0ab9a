import {
  BaseRpcContext,
  type CustomTransportStrategy,
  Server,
} from '@nestjs/microservices';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort } from 'node:worker_threads';
import { isObservable, lastValueFrom } from 'rxjs';
import type { TaskMessage } from '@celeriac/broker';
import { RunningTaskRequest } from '../execution/running-task-request';
import { RunSignal } from '../execution/time-limits';
import { exitWithParent } from './parent-watchdog';
import { deserializeError, serializeError } from './pool-errors';
import type { FromChild, ToChild } from './pool-messages';

/** A pool child's link to its worker: the IPC channel or the thread's port. */
interface WorkerLink {
  send(message: FromChild): void;
  onMessage(listener: (message: ToChild) => void): void;
}

function workerLink(): WorkerLink {
  if (!isMainThread && parentPort) {
    const port = parentPort;
    return {
      send: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', listener),
    };
  }
  const send = process.send?.bind(process);
  if (!send) {
    throw new Error('not started as a pool child (no IPC channel)');
  }
  // The worker owns this child: it ends it, and its exit ends the child
  // (between tasks through the channel, mid-task through the watchdog).
  process.on('disconnect', () => process.exit(0));
  exitWithParent();
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  return {
    send: (message) => send(message),
    onMessage: (listener) =>
      process.on('message', (message) => listener(message as ToChild)),
  };
}

/** The `@Ctx()` of a handler run in a pool child: the message and its queue. */
export class PoolChildContext extends BaseRpcContext<[TaskMessage, string]> {
  getMessage(): TaskMessage {
    return this.args[0];
  }

  getQueue(): string {
    return this.args[1];
  }
}

/**
 * The transport of a pool child's Nest microservice: runs the `@Task`
 * handlers its worker sends, through Nest's guards, interceptors and
 * filters as the worker would, and answers with the value or the error.
 * `progress()` and the run's signal are relayed to and from the worker.
 */
export class PoolChildTransport
  extends Server
  implements CustomTransportStrategy
{
  private readonly link = workerLink();
  private readonly runs = new Map<string, RunSignal>();
  private readonly progressWaits = new Map<
    number,
    { resolve: () => void; reject: (error: unknown) => void }
  >();
  private progressSeq = 0;

  listen(callback: (error?: unknown) => void): void {
    this.link.onMessage((message) => this.receive(message));
    this.link.send({ type: 'ready' });
    callback();
  }

  close(): void {
    this.runs.clear();
  }

  on(): never {
    throw new Error('PoolChildTransport has no events');
  }

  unwrap<T>(): T {
    throw new Error('PoolChildTransport wraps no client');
  }

  private receive(message: ToChild): void {
    switch (message.type) {
      case 'run':
        void this.run(message);
        return;
      case 'abort':
        this.runs.get(message.id)?.abort(deserializeError(message.reason));
        return;
      case 'progress-stored': {
        const wait = this.progressWaits.get(message.seq);
        this.progressWaits.delete(message.seq);
        if (message.error) {
          wait?.reject(deserializeError(message.error));
        } else {
          wait?.resolve();
        }
      }
    }
  }

  private async run(command: Extract<ToChild, { type: 'run' }>): Promise<void> {
    const { id } = command;
    const signal = new RunSignal();
    this.runs.set(id, signal);
    let answer: FromChild;
    try {
      const value = await this.invoke(command, signal);
      answer = { type: 'done', id, ok: true, value, memory: memoryInUse() };
    } catch (error) {
      answer = {
        type: 'done',
        id,
        ok: false,
        error: serializeError(error),
        memory: memoryInUse(),
      };
    } finally {
      this.runs.delete(id);
    }
    try {
      this.link.send(answer);
    } catch (error) {
      // A value structured clone cannot copy (a function, a socket...).
      this.link.send({
        type: 'done',
        id,
        ok: false,
        error: serializeError(error),
        memory: memoryInUse(),
      });
    }
  }

  private async invoke(
    {
      id,
      message,
      queue,
      hostname,
      args,
      kwargs,
    }: Extract<ToChild, { type: 'run' }>,
    signal: RunSignal,
  ): Promise<unknown> {
    const handler = this.getHandlerByPattern(message.headers.task);
    if (!handler) {
      throw Object.assign(new Error(message.headers.task), {
        name: 'NotRegistered',
        excType: 'NotRegistered',
        excModule: 'celery.exceptions',
        excMessage: [message.headers.task],
      });
    }
    const request = new RunningTaskRequest(message, queue, hostname, signal, {
      storeProgress: (_, meta) => this.relayProgress(id, meta),
    });
    const result: unknown = await handler(
      { args, kwargs, request },
      new PoolChildContext([message, queue]),
    );
    return isObservable(result)
      ? lastValueFrom(result, { defaultValue: undefined })
      : result;
  }

  private relayProgress(
    id: string,
    meta: Record<string, unknown>,
  ): Promise<void> {
    const seq = ++this.progressSeq;
    return new Promise<void>((resolve, reject) => {
      this.progressWaits.set(seq, { resolve, reject });
      this.link.send({ type: 'progress', id, seq, meta });
    });
  }
}

/** RSS of a child process; a thread shares it, so its own heap instead. */
function memoryInUse(): number {
  return isMainThread
    ? process.memoryUsage.rss()
    : getHeapStatistics().used_heap_size;
}
