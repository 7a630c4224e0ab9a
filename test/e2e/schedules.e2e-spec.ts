import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CeleriacConfigModule } from '@celeriac/config';
import {
  SCHEDULE_QUEUE,
  ScheduleBoardModule,
  ScheduleModule,
} from '@celeriac/schedule';
import { bootApi, useEnvironment } from '../utils/boot-apps';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_CONNECTION } from '../utils/redis';
import { connect } from 'amqplib';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

const queue = `e2e-schedules-${randomUUID()}`;
useEnvironment({ TASK_DEFAULT_QUEUE: queue, RESULT_EXPIRES: '300' });

describe('/v1/schedules and delayed tasks on the schedule queue', () => {
  let api: INestApplication;
  let schedule: Queue;
  const http = () => request(api.getHttpServer());
  const name = `e2e-${randomUUID()}`;
  const made: string[] = [];
  const delayedIds: string[] = [];

  beforeAll(async () => {
    api = await bootApi();
    schedule = new Queue(SCHEDULE_QUEUE, {
      connection: TEST_REDIS_CONNECTION,
    });
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        async () => {
          for (const each of made) {
            await schedule?.removeJobScheduler(each);
          }
        },
        async () => {
          for (const id of delayedIds) {
            await (await schedule?.getJob(id))?.remove();
          }
        },
        () => schedule?.close(),
        () => api?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it('creates (201), lists, gets, replaces and deletes (204) a schedule', async () => {
    made.push(name);
    const created = await http()
      .post('/v1/schedules')
      .send({ name, task: 'add_task', args: [1, 2], every: 60 })
      .expect(201);
    expect(created.body).toEqual({
      name,
      task: 'add_task',
      args: [1, 2],
      kwargs: {},
      every: 60,
      source: 'api',
      next_run_at: expect.any(String),
    });

    const listed = await http().get('/v1/schedules').expect(200);
    expect(listed.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name, every: 60 })]),
    );

    const replaced = await http()
      .put(`/v1/schedules/${name}`)
      .send({
        task: 'multi_task',
        kwargs: { a: 2, b: 3 },
        cron: '0 3 * * *',
        timezone: 'Europe/Paris',
      })
      .expect(200);
    expect(replaced.body).toMatchObject({
      name,
      task: 'multi_task',
      kwargs: { a: 2, b: 3 },
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
    });
    expect(replaced.body).not.toHaveProperty('every');

    const got = await http().get(`/v1/schedules/${name}`).expect(200);
    expect(got.body).toEqual(replaced.body);

    await http().delete(`/v1/schedules/${name}`).expect(204);
    await http().get(`/v1/schedules/${name}`).expect(404);
    await http().delete(`/v1/schedules/${name}`).expect(404);
  });

  it('answers 409 when the name exists', async () => {
    const taken = `e2e-${randomUUID()}`;
    made.push(taken);
    const body = { name: taken, task: 'add_task', every: 60 };
    await http().post('/v1/schedules').send(body).expect(201);
    const conflict = await http().post('/v1/schedules').send(body).expect(409);
    expect(conflict.headers['content-type']).toMatch(
      /application\/problem\+json/,
    );
    expect(conflict.body).toMatchObject({
      status: 409,
      code: 'SCHEDULE_EXISTS',
    });
  });

  it('creates a name once when many creates of it race: one 201, every other a 409', async () => {
    const contested = `e2e-${randomUUID()}`;
    made.push(contested);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        http()
          .post('/v1/schedules')
          .send({ name: contested, task: 'add_task', every: 60 + index })
          .then((response) => response.status),
      ),
    );

    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
    // The stored schedule is the one the 201 made, not a later overwrite.
    const winner = statuses.indexOf(201);
    const stored = await http().get(`/v1/schedules/${contested}`).expect(200);
    expect(stored.body.every).toBe(60 + winner);

    // The claim ends with the create: the name is free again once deleted.
    await http().delete(`/v1/schedules/${contested}`).expect(204);
    await http()
      .post('/v1/schedules')
      .send({ name: contested, task: 'add_task', every: 60 })
      .expect(201);
  });

  it.each([
    ['an invalid cron', { cron: '61 * * * *' }, 'cron'],
    [
      'an unknown timezone',
      { cron: '* * * * *', timezone: 'Mars/Olympus' },
      'timezone',
    ],
    ['both every and cron', { every: 5, cron: '* * * * *' }, 'cron'],
    ['neither every nor cron', {}, 'every'],
  ])('answers 400 for %s, naming the field', async (_label, when, field) => {
    const response = await http()
      .post('/v1/schedules')
      .send({ name: `e2e-${randomUUID()}`, task: 'add_task', ...when })
      .expect(400);
    expect(response.body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: [expect.objectContaining({ field })],
    });
  });

  it('answers 400 for a name no schedule can have and 422 for an unknown task', async () => {
    await http().get('/v1/schedules/a:b').expect(400);
    const unknown = await http()
      .post('/v1/schedules')
      .send({ name: `e2e-${randomUUID()}`, task: 'no_such_task', every: 5 })
      .expect(422);
    expect(unknown.body).toMatchObject({ code: 'TASK_NOT_REGISTERED' });
  });

  it('keeps a countdown beyond the threshold in BullMQ, not in RabbitMQ, and reports it PENDING', async () => {
    const submitted = await http()
      .post('/v1/tasks')
      .send({ task: 'multi_task', args: [6, 7], countdown: 600 })
      .expect(202);
    const id = submitted.body.task_id as string;
    delayedIds.push(id);

    const job = await schedule.getJob(id);
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toMatchObject({
      queue,
      message: {
        headers: { id, task: 'multi_task', eta: expect.any(String) },
        args: [6, 7],
      },
    });
    const view = await http().get(`/v1/tasks/${id}`).expect(200);
    expect(view.body).toMatchObject({ status: 'PENDING' });
    const connection = await connect(TEST_BROKER_URL);
    try {
      const channel = await connection.createChannel();
      const { messageCount } = await channel.assertQueue(queue, {
        durable: true,
      });
      expect(messageCount).toBe(0);
    } finally {
      await connection.close();
    }
  });
});

describe(ScheduleBoardModule.name, () => {
  it('serves Bull Board at /queues for the schedule queue', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacConfigModule.forRoot(),
        ScheduleModule.forRoot(),
        ScheduleBoardModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const page = await request(app.getHttpServer())
        .get('/queues')
        .expect(200);
      expect(page.text).toMatch(/<html/i);
      const queues = await request(app.getHttpServer())
        .get('/queues/api/queues')
        .expect(200);
      expect(JSON.stringify(queues.body)).toContain(SCHEDULE_QUEUE);
    } finally {
      await app.close();
    }
  });
});
