import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueueWatcher } from '../queues/queue-watcher';
import { EventsState } from '../state/events-state';
import { presentTask } from '../state/task-record';
import { presentWorker } from '../state/worker-record';

/** A comment line every 15 s keeps proxies from closing an idle stream. */
const PING_INTERVAL_MS = 15_000;

/**
 * `GET /api/monitor/events`: Server-Sent Events with every task change
 * (`task`), worker event (`worker`) and queue sample (`queues`, every ~2 s).
 */
@Controller('api/monitor')
export class EventsStreamController {
  constructor(
    private readonly state: EventsState,
    private readonly queues: QueueWatcher,
  ) {}

  @Get('events')
  stream(@Req() request: Request, @Res() response: Response): void {
    response.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    const send = (event: string, data: unknown) =>
      response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const stops = [
      this.state.onTask((task) => send('task', presentTask(task))),
      this.state.onWorker((worker) =>
        send('worker', presentWorker(worker, Date.now() / 1000)),
      ),
      this.queues.onSample((queues) => send('queues', queues)),
    ];
    response.write(': connected\n\n');
    const ping = setInterval(
      () => response.write(': ping\n\n'),
      PING_INTERVAL_MS,
    );
    request.on('close', () => {
      clearInterval(ping);
      for (const stop of stops) {
        stop();
      }
    });
  }
}
