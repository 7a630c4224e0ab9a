import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyReply } from 'fastify';
import { BrokerUnavailableError } from '@celeriac/broker';
import type { CeleriacConfig } from '@celeriac/config';
import { ChordRepository, ResultRepository } from '@celeriac/results';
import {
  PlanPublisher,
  TaskProducer,
  TaskRegistry,
  TaskRouter,
  type TasksModuleOptions,
} from '@celeriac/tasks';
import { asClient, FakeBroker } from '../../../../test/fakes/broker.fake';
import { SendPolicy } from './send-policy';
import { TasksBatchController } from './tasks-batch.controller';

// The real shared Redis (keys under a prefix of this file's own); only the
// broker is a fake, so it can leave some publishes unconfirmed on cue.
const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** The reply's status and headers, as the controller set them. */
function recordingReply() {
  const seen: { status?: number; headers: Record<string, string> } = {
    headers: {},
  };
  const reply = {
    status(code: number) {
      seen.status = code;
      return reply;
    },
    header(name: string, value: string) {
      seen.headers[name] = value;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, seen };
}

describe(TasksBatchController.name, () => {
  const prefix = `test-${randomUUID()}:`;
  let redis: Redis;
  let results: ResultRepository;
  let broker: FakeBroker;
  let sut: TasksBatchController;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    results = new ResultRepository(redis, {
      expiresSeconds: 600,
      keyPrefix: prefix,
    });
  });

  beforeEach(() => {
    broker = new FakeBroker();
    // Discovery is not used: tasks are registered by hand.
    const registry = new TaskRegistry(
      undefined as never,
      undefined as never,
      undefined as never,
    );
    registry.register({ name: 'add', params: ['a', 'b'] });
    const publisher = new PlanPublisher(
      asClient(broker),
      results,
      new ChordRepository(redis, { expiresSeconds: 600, keyPrefix: prefix }),
    );
    const router = new TaskRouter(registry, {
      defaultQueue: 'unused',
    } as TasksModuleOptions);
    const config = { api: { queues: undefined } } as CeleriacConfig;
    sut = new TasksBatchController(
      new TaskProducer(publisher, router),
      new SendPolicy(registry, config),
    );
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  const tasks = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ task: 'add', args: [i, 1] }));

  it('answers 207 naming each task RabbitMQ did not confirm when it confirmed the others', async () => {
    broker.onPublish = (message) =>
      message.headers.argsrepr === '[1, 1]'
        ? Promise.reject(new Error('timeout'))
        : Promise.resolve();
    const { reply, seen } = recordingReply();

    const body = await sut.submitBatch(
      { tasks: tasks(3) },
      undefined,
      { unchecked: false },
      reply,
    );

    expect(seen.status).toBe(207);
    expect(seen.headers['retry-after']).toBe('5');
    expect(body.results).toEqual([
      { index: 0, task_id: expect.any(String), status_url: expect.any(String) },
      {
        index: 1,
        error: expect.objectContaining({
          status: 503,
          code: 'BROKER_UNAVAILABLE',
        }),
      },
      { index: 2, task_id: expect.any(String), status_url: expect.any(String) },
    ]);
    expect(broker.published).toHaveLength(2);
    const metas = await results.getManyTaskMeta(broker.publishedIds());
    expect(metas.map((meta) => meta?.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('answers 503 (throws) when RabbitMQ confirmed none of the batch', async () => {
    broker.onPublish = () => Promise.reject(new Error('timeout'));
    const { reply } = recordingReply();
    await expect(
      sut.submitBatch(
        { tasks: tasks(2) },
        undefined,
        { unchecked: false },
        reply,
      ),
    ).rejects.toBeInstanceOf(BrokerUnavailableError);
  });
});
