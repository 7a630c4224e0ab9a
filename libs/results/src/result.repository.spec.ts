import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  type RedisDump,
  readWireFixture,
} from '../../../test/utils/wire-fixtures';

const REDIS_AFTER_WORKER = readWireFixture<RedisDump>(
  'redis-after-worker.json',
);
const REDIS_AFTER_PUBLISH_NO_WORKER = readWireFixture<RedisDump>(
  'redis-after-publish-no-worker.json',
);
import { pollUntil } from '../../../test/utils/poll-until';
import { CorruptResultError } from './errors/corrupt-result.error';
import { groupMetaKey, taskMetaKey } from './result-keys';
import { ResultRepository } from './result.repository';
import { toExceptionInfo, type TaskMeta } from './task-meta';
import { TaskState } from './task-state';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const EXPIRES_SECONDS = 3600;
const CELERY_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$/;
const FIXTURE_GROUP_ID = '7ced8d75-5b22-4cfd-9ff7-ea29000839af';

const taskFixtures = Object.entries(REDIS_AFTER_WORKER)
  .filter(([key]) => key.startsWith('celery-task-meta-'))
  .map(([key, entry]) => ({
    key,
    raw: entry.value.raw,
    meta: JSON.parse(entry.value.raw) as TaskMeta,
  }));

describe(ResultRepository.name, () => {
  const prefix = `test-${randomUUID()}:`;
  let redis: Redis;
  let subscriber: Redis;
  let sut: ResultRepository;

  const getRaw = async (key: string): Promise<string> => {
    const value = await redis.get(key);
    if (value === null) {
      throw new Error(`${key} is missing`);
    }
    return value;
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    subscriber = new Redis(REDIS_URL);
    sut = new ResultRepository(redis, {
      expiresSeconds: EXPIRES_SECONDS,
      keyPrefix: prefix,
    });
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) {
      await redis.del(...keys);
    }
    await subscriber.quit();
    await redis.quit();
  });

  describe('markPending', () => {
    it('writes a Celery-shaped PENDING document with the expiry', async () => {
      const taskId = randomUUID();
      await expect(sut.markPending(taskId)).resolves.toBe(true);
      const key = taskMetaKey(taskId, prefix);
      expect(JSON.parse(await getRaw(key))).toEqual({
        status: 'PENDING',
        result: null,
        traceback: null,
        children: [],
        date_done: null,
        task_id: taskId,
      });
      expect(Object.keys(JSON.parse(await getRaw(key)) as object)).toEqual([
        'status',
        'result',
        'traceback',
        'children',
        'date_done',
        'task_id',
      ]);
      expect(
        Math.abs((await redis.ttl(key)) - EXPIRES_SECONDS),
      ).toBeLessThanOrEqual(2);
    });

    it('does not write twice', async () => {
      const taskId = randomUUID();
      await expect(sut.markPending(taskId)).resolves.toBe(true);
      await expect(sut.markPending(taskId)).resolves.toBe(false);
    });

    it('does not overwrite a stored STARTED', async () => {
      const taskId = randomUUID();
      await sut.storeResult(taskId, TaskState.Started, {
        pid: 1,
        hostname: 'w@h',
      });
      await expect(sut.markPending(taskId)).resolves.toBe(false);
      await expect(sut.getTaskMeta(taskId)).resolves.toMatchObject({
        status: 'STARTED',
      });
    });

    it('marks many ids in order and skips existing ones', async () => {
      const existing = randomUUID();
      const fresh = [randomUUID(), randomUUID()];
      await sut.markPending(existing);
      await expect(
        sut.markManyPending([fresh[0], existing, fresh[1]]),
      ).resolves.toEqual([true, false, true]);
      const metas = await sut.getManyTaskMeta(fresh);
      expect(metas.map((meta) => meta?.status)).toEqual(['PENDING', 'PENDING']);
      await expect(sut.markManyPending([])).resolves.toEqual([]);
    });

    it('writes the same documents as markPending, with the expiry or, at 0, none', async () => {
      const forever = new ResultRepository(redis, {
        expiresSeconds: 0,
        keyPrefix: prefix,
      });
      const single = randomUUID();
      const expiring = [randomUUID(), randomUUID()];
      const kept = [randomUUID(), randomUUID()];
      await sut.markPending(single);
      await expect(sut.markManyPending(expiring)).resolves.toEqual([
        true,
        true,
      ]);
      await expect(forever.markManyPending(kept)).resolves.toEqual([
        true,
        true,
      ]);
      const document = async (id: string) =>
        (await getRaw(taskMetaKey(id, prefix))).replace(id, '<id>');
      const expected = await document(single);
      for (const id of [...expiring, ...kept]) {
        await expect(document(id)).resolves.toBe(expected);
      }
      for (const id of expiring) {
        expect(
          Math.abs(
            (await redis.ttl(taskMetaKey(id, prefix))) - EXPIRES_SECONDS,
          ),
        ).toBeLessThanOrEqual(2);
      }
      for (const id of kept) {
        await expect(redis.ttl(taskMetaKey(id, prefix))).resolves.toBe(-1);
      }
    });
  });

  describe('unmarkPending', () => {
    it('deletes the PENDING marks it wrote and keeps a state a worker stored', async () => {
      const [unpublished, started] = [randomUUID(), randomUUID()];
      await sut.markManyPending([unpublished, started]);
      await sut.storeResult(started, TaskState.Started, { pid: 1 });
      await expect(sut.unmarkPending([unpublished, started])).resolves.toBe(1);
      await expect(sut.getTaskMeta(unpublished)).resolves.toBeNull();
      await expect(sut.getTaskMeta(started)).resolves.toMatchObject({
        status: 'STARTED',
      });
      await expect(sut.unmarkPending([])).resolves.toBe(0);
    });
  });

  describe('storeResult', () => {
    it.each(taskFixtures)(
      'writes the keys Celery wrote in the same order for $key',
      async ({ meta }) => {
        const taskId = randomUUID();
        await expect(
          sut.storeResult(taskId, meta.status, meta.result, {
            traceback: meta.traceback,
            children: meta.children,
            groupId: meta.group_id,
            parentId: meta.parent_id,
          }),
        ).resolves.toBe(true);
        const stored = JSON.parse(
          await getRaw(taskMetaKey(taskId, prefix)),
        ) as TaskMeta;
        expect(Object.keys(stored)).toEqual(Object.keys(meta));
        expect(stored).toEqual({
          ...meta,
          task_id: taskId,
          date_done: expect.stringMatching(CELERY_DATE) as unknown,
        });
      },
    );

    it('places extended fields between parent_id and task_id', async () => {
      const taskId = randomUUID();
      await sut.storeResult(taskId, TaskState.Success, 4, {
        groupId: 'g',
        parentId: 'p',
        name: 'add_task',
        args: [2, 2],
        kwargs: {},
        worker: 'celery@host',
        retries: 0,
        queue: 'default-sum',
      });
      const stored = JSON.parse(
        await getRaw(taskMetaKey(taskId, prefix)),
      ) as object;
      expect(Object.keys(stored)).toEqual([
        'status',
        'result',
        'traceback',
        'children',
        'date_done',
        'group_id',
        'parent_id',
        'name',
        'args',
        'kwargs',
        'worker',
        'retries',
        'queue',
        'task_id',
      ]);
    });

    it('sets the expiry', async () => {
      const taskId = randomUUID();
      await sut.storeResult(taskId, TaskState.Success, 1);
      const ttl = await redis.ttl(taskMetaKey(taskId, prefix));
      expect(Math.abs(ttl - EXPIRES_SECONDS)).toBeLessThanOrEqual(2);
    });

    it('loads its script again when Redis has lost it (SCRIPT FLUSH, a restart)', async () => {
      const taskId = randomUUID();
      await redis.script('FLUSH');
      await expect(sut.storeResult(taskId, TaskState.Success, 7)).resolves.toBe(
        true,
      );
      await expect(sut.getTaskMeta(taskId)).resolves.toMatchObject({
        status: 'SUCCESS',
        result: 7,
      });
      // and the guard still holds on the next write
      await expect(
        sut.storeResult(
          taskId,
          TaskState.Failure,
          toExceptionInfo(new Error()),
        ),
      ).resolves.toBe(false);
    });

    it('leaves date_done null for a state that is not ready', async () => {
      const taskId = randomUUID();
      await sut.storeResult(
        taskId,
        TaskState.Retry,
        toExceptionInfo(new Error('again')),
      );
      await expect(sut.getTaskMeta(taskId)).resolves.toMatchObject({
        status: 'RETRY',
        date_done: null,
      });
    });

    it('publishes the stored JSON on the channel named like the key', async () => {
      const taskId = randomUUID();
      const key = taskMetaKey(taskId, prefix);
      const messages: string[] = [];
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === key) {
          messages.push(message);
        }
      });
      await subscriber.subscribe(key);
      try {
        await sut.storeResult(taskId, TaskState.Success, { sum: 3 });
        const [message] = await pollUntil(
          () => Promise.resolve(messages),
          (received) => received.length > 0,
        );
        expect(message).toBe(await getRaw(key));
      } finally {
        await subscriber.unsubscribe(key);
      }
    });

    it('refuses to overwrite a stored SUCCESS', async () => {
      const taskId = randomUUID();
      await expect(sut.storeResult(taskId, TaskState.Success, 7)).resolves.toBe(
        true,
      );
      const before = await getRaw(taskMetaKey(taskId, prefix));
      await expect(
        sut.storeResult(
          taskId,
          TaskState.Failure,
          toExceptionInfo(new Error('late')),
        ),
      ).resolves.toBe(false);
      expect(await getRaw(taskMetaKey(taskId, prefix))).toBe(before);
    });

    it('overwrites states other than SUCCESS', async () => {
      const taskId = randomUUID();
      await sut.markPending(taskId);
      await sut.storeResult(
        taskId,
        TaskState.Failure,
        toExceptionInfo(new Error('x')),
      );
      await expect(sut.storeResult(taskId, TaskState.Success, 5)).resolves.toBe(
        true,
      );
      await expect(sut.getTaskMeta(taskId)).resolves.toMatchObject({
        status: 'SUCCESS',
        result: 5,
      });
    });

    it('overwrites a state whose meta merely mentions SUCCESS', async () => {
      const taskId = randomUUID();
      await sut.storeResult(taskId, TaskState.Progress, {
        note: 'SUCCESS soon',
      });
      await expect(sut.storeResult(taskId, TaskState.Success, 1)).resolves.toBe(
        true,
      );
      await expect(sut.getTaskMeta(taskId)).resolves.toMatchObject({
        status: 'SUCCESS',
        result: 1,
      });
    });

    it('stores a FAILURE with the exception dict and traceback', async () => {
      const taskId = randomUUID();
      await sut.storeResult(
        taskId,
        TaskState.Failure,
        toExceptionInfo(new TypeError('bad operand')),
        { traceback: 'TypeError: bad operand\n    at add' },
      );
      const meta = await sut.getTaskMeta(taskId);
      expect(meta).toMatchObject({
        status: 'FAILURE',
        result: {
          exc_type: 'TypeError',
          exc_message: ['bad operand'],
          exc_module: 'builtins',
        },
        traceback: 'TypeError: bad operand\n    at add',
        task_id: taskId,
      });
      expect(meta?.date_done).toMatch(CELERY_DATE);
    });
  });

  describe('getTaskMeta', () => {
    it('returns null for an id nobody issued', async () => {
      await expect(sut.getTaskMeta(randomUUID())).resolves.toBeNull();
    });

    it('reads a document Celery wrote', async () => {
      const [fixture] = taskFixtures;
      await redis.set(`${prefix}${fixture.key}`, fixture.raw, 'EX', 60);
      await expect(sut.getTaskMeta(fixture.meta.task_id)).resolves.toEqual(
        fixture.meta,
      );
    });

    it.each([
      ['not JSON', '{"status": '],
      ['a JSON string', '"SUCCESS"'],
      ['an array', '[1, 2]'],
      ['an object without status', '{"result": 1}'],
      ['a status that is not a string', '{"status": 1}'],
    ])('throws CorruptResultError on %s', async (_label, garbage) => {
      const taskId = randomUUID();
      const key = taskMetaKey(taskId, prefix);
      await redis.set(key, garbage, 'EX', 60);
      const error: unknown = await sut
        .getTaskMeta(taskId)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptResultError);
      expect((error as CorruptResultError).key).toBe(key);
      expect((error as CorruptResultError).name).toBe('CorruptResultError');
    });
  });

  describe('getManyTaskMeta', () => {
    it('keeps the order of the ids and returns null for missing ones', async () => {
      const [first, missing, last] = [randomUUID(), randomUUID(), randomUUID()];
      await sut.storeResult(first, TaskState.Success, 1);
      await sut.storeResult(last, TaskState.Success, 3);
      const metas = await sut.getManyTaskMeta([last, missing, first]);
      expect(metas.map((meta) => meta && [meta.task_id, meta.result])).toEqual([
        [last, 3],
        null,
        [first, 1],
      ]);
      await expect(sut.getManyTaskMeta([])).resolves.toEqual([]);
    });
  });

  describe('saveGroup', () => {
    const fixture =
      REDIS_AFTER_PUBLISH_NO_WORKER[`celery-taskset-meta-${FIXTURE_GROUP_ID}`];
    const childIds = [
      'cd7b86a6-6d9a-4b3e-a769-d56b13d6df5d',
      'd88ef242-28af-491a-8e13-a017721afb5b',
    ];

    it('writes what GroupResult.save() wrote', async () => {
      await sut.saveGroup(FIXTURE_GROUP_ID, childIds);
      const key = groupMetaKey(FIXTURE_GROUP_ID, prefix);
      expect(await getRaw(key)).toBe(
        JSON.stringify(JSON.parse(fixture.value.raw)),
      );
      expect(
        Math.abs((await redis.ttl(key)) - EXPIRES_SECONDS),
      ).toBeLessThanOrEqual(2);
    });

    it('publishes the group document on the key channel', async () => {
      const groupId = randomUUID();
      const key = groupMetaKey(groupId, prefix);
      const messages: string[] = [];
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === key) {
          messages.push(message);
        }
      });
      await subscriber.subscribe(key);
      try {
        await sut.saveGroup(groupId, ['a', 'b']);
        const [message] = await pollUntil(
          () => Promise.resolve(messages),
          (received) => received.length > 0,
        );
        expect(message).toBe(await getRaw(key));
      } finally {
        await subscriber.unsubscribe(key);
      }
    });
  });

  describe('getGroup', () => {
    it.each(
      [
        ...Object.entries(REDIS_AFTER_PUBLISH_NO_WORKER),
        ...Object.entries(REDIS_AFTER_WORKER),
      ].filter(([key]) => /^celery-taskset-meta-[^.]+$/.test(key)),
    )('reads the group Celery saved at %s', async (key, entry) => {
      const groupId = key.slice('celery-taskset-meta-'.length);
      await redis.set(`${prefix}${key}`, entry.value.raw, 'EX', 60);
      const tuple = (
        JSON.parse(entry.value.raw) as { result: [unknown, [[string]][]] }
      ).result;
      await expect(sut.getGroup(groupId)).resolves.toEqual({
        groupId,
        childIds: tuple[1].map(([[childId]]) => childId),
      });
    });

    it('reads back what saveGroup wrote', async () => {
      const groupId = randomUUID();
      const childIds = [randomUUID(), randomUUID(), randomUUID()];
      await sut.saveGroup(groupId, childIds);
      await expect(sut.getGroup(groupId)).resolves.toEqual({
        groupId,
        childIds,
      });
    });

    it('flattens a nested group to its leaf task ids in order', async () => {
      const groupId = randomUUID();
      const nested = {
        result: [
          [groupId, null],
          [
            [['t1', null], null],
            [
              ['g2', null],
              [
                [['t2', null], null],
                [['t3', null], null],
              ],
            ],
            [['t4', null], null],
          ],
        ],
      };
      await redis.set(
        groupMetaKey(groupId, prefix),
        JSON.stringify(nested),
        'EX',
        60,
      );
      await expect(sut.getGroup(groupId)).resolves.toEqual({
        groupId,
        childIds: ['t1', 't2', 't3', 't4'],
      });
    });

    it('returns null for an unknown group', async () => {
      await expect(sut.getGroup(randomUUID())).resolves.toBeNull();
    });

    it.each([
      ['not JSON', 'nope'],
      ['no result field', '{"children": []}'],
      ['a result that is not a tuple', '{"result": 5}'],
      [
        'a child without an id',
        '{"result": [["g", null], [[[5, null], null]]]}',
      ],
      ['a child that is not a tuple', '{"result": [["g", null], ["t1"]]}'],
    ])('throws CorruptResultError on %s', async (_label, garbage) => {
      const groupId = randomUUID();
      await redis.set(groupMetaKey(groupId, prefix), garbage, 'EX', 60);
      await expect(sut.getGroup(groupId)).rejects.toBeInstanceOf(
        CorruptResultError,
      );
    });
  });

  describe('deleteGroup', () => {
    it('removes a saved group', async () => {
      const groupId = randomUUID();
      await sut.saveGroup(groupId, ['a']);
      await expect(sut.deleteGroup(groupId)).resolves.toBe(true);
      await expect(sut.getGroup(groupId)).resolves.toBeNull();
      await expect(sut.deleteGroup(groupId)).resolves.toBe(false);
    });
  });
});
