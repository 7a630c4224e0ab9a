import {
  type CanActivate,
  Controller,
  Injectable,
  type INestMicroservice,
  type PipeTransform,
  UseGuards,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { NestFactory } from '@nestjs/core';
import {
  type CustomTransportStrategy,
  type MessageHandler,
  Payload,
  Server,
} from '@nestjs/microservices';
import { Module } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { Task } from './task.decorator';
import type { TaskCall } from './task-call';

/** Collects the handlers Nest registers, as the worker's transport does. */
class RecordingServer extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }

  close(): void {}

  on(): never {
    throw new Error('not used');
  }

  unwrap<T>(): T {
    throw new Error('not used');
  }

  /** Calls the handler as CeleryServer does: an Observable answer is awaited. */
  async invoke(pattern: string, ...args: unknown[]): Promise<unknown> {
    const handler: MessageHandler | null = this.getHandlerByPattern(pattern);
    if (!handler) {
      throw new Error(`no handler for ${pattern}`);
    }
    const result: unknown = await handler(...args);
    return isObservable(result) ? lastValueFrom(result) : result;
  }
}

@Injectable()
class TagPipe implements PipeTransform {
  transform(value: TaskCall): TaskCall & { piped: true } {
    return { ...value, piped: true };
  }
}

class DenyAll implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@Controller()
class Tasks {
  @Task({ name: 'plain', params: [] })
  plain(call: TaskCall, context: unknown): unknown[] {
    return [call, context];
  }

  @Task({ name: 'piped', params: [] })
  piped(@Payload(TagPipe) call: TaskCall): TaskCall {
    return call;
  }

  @UseGuards(DenyAll)
  @Task({ name: 'guarded', params: [] })
  guarded(): string {
    return 'ran';
  }
}

@Module({ controllers: [Tasks], providers: [TagPipe] })
class TasksModule {}

describe(Task.name, () => {
  const server = new RecordingServer();
  let app: INestMicroservice;
  const call = { args: [], kwargs: {} } as unknown as TaskCall;
  const context = { the: 'context' };

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(TasksModule, {
      strategy: server,
      logger: false,
    });
    await app.listen();
  });

  afterAll(async () => {
    await app.close();
  });

  it('hands the task call and the context on as they are', async () => {
    const result: unknown = await server.invoke('plain', call, context);
    expect(result).toEqual([call, context]);
    const [received, receivedContext] = result as unknown[];
    expect(received).toBe(call);
    expect(receivedContext).toBe(context);
  });

  it("declares no parameters, so Nest's argument pipes are skipped", () => {
    expect(Reflect.getMetadata(ROUTE_ARGS_METADATA, Tasks, 'plain')).toEqual(
      {},
    );
    expect(
      Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, Tasks, 'piped')),
    ).toHaveLength(1);
  });

  it('still runs the pipes a parameter decorator asks for', async () => {
    await expect(server.invoke('piped', call, context)).resolves.toEqual({
      ...call,
      piped: true,
    });
  });

  it('still runs guards', async () => {
    await expect(server.invoke('guarded', call, context)).rejects.toMatchObject(
      { message: 'Forbidden resource' },
    );
  });
});
