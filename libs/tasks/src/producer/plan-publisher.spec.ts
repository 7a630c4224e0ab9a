import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BrokerUnavailableError, buildTaskMessage } from '@celeriac/broker';
import {
  ChordRepository,
  createRedisClient,
  groupMetaKey,
  ResultBackendUnavailableError,
  ResultRepository,
  TaskState,
} from '@celeriac/results';
import { asClient, FakeBroker } from '../../../../test/fakes/broker.fake';
import type { CanvasPlan } from '../canvas/canvas-plan';
import { PartiallyPublishedError } from '../errors/partially-published.error';
import { PlanPublisher } from './plan-publisher';

// The real shared Redis; only the broker is a fake, so a publish can fail on cue.
const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** What TaskProducer.sendMany plans: each id its own message. */
function batchPlan(size: number): CanvasPlan {
  const ids = Array.from({ length: size }, () => randomUUID());
  return {
    taskId: ids[0],
    taskIds: ids,
    messages: ids.map((id) => ({
      message: buildTaskMessage({ task: 'add_task', id, args: [1, 2] }),
      queue: 'unused',
    })),
    groups: [],
    chords: [],
  };
}

function groupPlan(): CanvasPlan {
  const groupId = randomUUID();
  const ids = [randomUUID(), randomUUID()];
  return {
    taskId: ids[1],
    taskIds: ids,
    messages: ids.map((id) => ({
      message: buildTaskMessage({ task: 'add_task', id, args: [1, 2] }),
      queue: 'unused',
    })),
    groups: [{ groupId, childIds: ids }],
    chords: [],
  };
}

describe(PlanPublisher.name, () => {
  const prefix = `test-${randomUUID()}:`;
  const options = { expiresSeconds: 600, keyPrefix: prefix };
  let redis: Redis;
  let results: ResultRepository;
  let broker: FakeBroker;
  let sut: PlanPublisher;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    results = new ResultRepository(redis, options);
  });

  beforeEach(() => {
    broker = new FakeBroker();
    sut = new PlanPublisher(
      asClient(broker),
      results,
      new ChordRepository(redis, options),
    );
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await redis.quit();
  });

  it('marks every id PENDING and saves the group when every publish is confirmed', async () => {
    const plan = groupPlan();
    await sut.publish(plan);
    const metas = await results.getManyTaskMeta(plan.taskIds);
    expect(metas.map((meta) => meta?.status)).toEqual(['PENDING', 'PENDING']);
    await expect(results.getGroup(plan.groups[0].groupId)).resolves.toEqual({
      groupId: plan.groups[0].groupId,
      childIds: plan.taskIds,
    });
  });

  it('writes nothing while the broker is known to be down', async () => {
    broker.available = false;
    const plan = groupPlan();
    await expect(sut.publish(plan)).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    await expect(results.getManyTaskMeta(plan.taskIds)).resolves.toEqual([
      null,
      null,
    ]);
    expect(broker.published).toEqual([]);
  });

  it('takes back its marks and the group when a publish is not confirmed, but not a state a worker wrote', async () => {
    const plan = groupPlan();
    const [confirmed, refused] = plan.taskIds;
    broker.onPublish = async (message) => {
      if (message.headers.id === refused) {
        throw new BrokerUnavailableError('no publisher confirm within 2000 ms');
      }
      // The first member ran at once: a worker stored its state.
      await results.storeResult(confirmed, TaskState.Started, { pid: 1 });
    };
    await expect(sut.publish(plan)).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    await expect(results.getTaskMeta(refused)).resolves.toBeNull();
    await expect(results.getTaskMeta(confirmed)).resolves.toMatchObject({
      status: 'STARTED',
    });
    await expect(
      redis.exists(groupMetaKey(plan.groups[0].groupId, prefix)),
    ).resolves.toBe(0);
  });

  it('names the sent and the unsent tasks of a batch only partly confirmed, and keeps the marks of the sent', async () => {
    const plan = batchPlan(4);
    const refused = new Set([plan.taskIds[1], plan.taskIds[3]]);
    broker.onPublish = (message) =>
      refused.has(message.headers.id)
        ? Promise.reject(new Error('timeout'))
        : Promise.resolve();
    const error = await sut.publish(plan).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(PartiallyPublishedError);
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    const partial = error as PartiallyPublishedError;
    expect(partial.taskIds).toEqual(plan.taskIds);
    expect(partial.sentIds).toEqual([plan.taskIds[0], plan.taskIds[2]]);
    expect([...partial.failedIds]).toEqual([plan.taskIds[1], plan.taskIds[3]]);
    const metas = await results.getManyTaskMeta(plan.taskIds);
    expect(metas.map((meta) => meta?.status ?? null)).toEqual([
      'PENDING',
      null,
      'PENDING',
      null,
    ]);
  });

  it('says the whole batch failed when no publish was confirmed', async () => {
    const plan = batchPlan(2);
    broker.onPublish = () => Promise.reject(new Error('timeout'));
    const error = await sut.publish(plan).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(BrokerUnavailableError);
    expect(error).not.toBeInstanceOf(PartiallyPublishedError);
    await expect(results.getManyTaskMeta(plan.taskIds)).resolves.toEqual([
      null,
      null,
    ]);
  });

  it('says the result backend is unavailable when Redis cannot take the marks', async () => {
    // A fail-fast client on a port nothing listens on, as the api's is during an outage.
    const down = createRedisClient('redis://127.0.0.1:1/0', {
      failFast: true,
    });
    try {
      const offline = new PlanPublisher(
        asClient(broker),
        new ResultRepository(down, options),
        new ChordRepository(down, options),
      );
      await expect(offline.publish(groupPlan())).rejects.toBeInstanceOf(
        ResultBackendUnavailableError,
      );
      expect(broker.published).toEqual([]);
    } finally {
      down.disconnect();
    }
  });
});
