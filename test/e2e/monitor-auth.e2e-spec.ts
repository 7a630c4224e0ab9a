// MONITOR_BASIC_AUTH protects everything but the probes; without a dashboard
// build the monitor still starts and / says how to build it.
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { bootMonitor, useEnvironment } from '../utils/boot-apps';
import { parsePrometheusText } from '../utils/prometheus-text';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

useEnvironment({
  TASK_DEFAULT_QUEUE: `e2e-monitor-auth-${randomUUID()}`,
  MONITOR_BASIC_AUTH: 'admin:s3cret:with-colon',
  MONITOR_DASHBOARD_DIR: `/nonexistent/monitor-dashboard-${randomUUID()}`,
  MONITOR_ENABLE_EVENTS: 'false',
});

const basic = (credentials: string) =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('monitor with MONITOR_BASIC_AUTH', () => {
  let monitor: INestApplication;
  const http = () => request(monitor.getHttpServer());

  beforeAll(async () => {
    monitor = await bootMonitor();
  }, BOOT_TIMEOUT_MS);

  afterAll(() => teardown(() => monitor?.close()), TEARDOWN_TIMEOUT_MS);

  it.each([
    '/api/workers?status=1',
    '/api/tasks',
    '/metrics',
    '/',
    '/api/monitor/events',
    '/queues',
    '/queues/api/queues',
  ])('asks for credentials on %s', async (path) => {
    const response = await http().get(path).expect(401);

    expect(response.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect(response.body).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it.each([
    ['a wrong password', basic('admin:wrong')],
    ['a wrong user', basic('root:s3cret:with-colon')],
    ['no colon', basic('admin')],
    ['another scheme', 'Bearer s3cret'],
  ])('refuses %s', async (_, authorization) => {
    await http()
      .get('/api/tasks')
      .set('Authorization', authorization)
      .expect(401);
  });

  it('answers with the right credentials', async () => {
    const tasks = await http()
      .get('/api/tasks')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);
    const metrics = await http()
      .get('/metrics')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);

    expect(typeof tasks.body).toBe('object');
    expect(
      parsePrometheusText(metrics.text).get('flower_events_total'),
    ).toMatchObject({
      type: 'counter',
      help: 'Number of events',
    });
  });

  it("serves Bull Board's schedule queue at /queues with the right credentials", async () => {
    const board = await http()
      .get('/queues/api/queues')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(200);

    expect(
      (board.body as { queues: { name: string }[] }).queues.map(
        (queue) => queue.name,
      ),
    ).toContain('celeriac.schedule');
  });

  it('leaves the health probes open', async () => {
    expect((await http().get('/healthcheck').expect(200)).text).toBe('OK');
    await http().get('/health/live').expect(200);
    await http().get('/health/ready').expect(200);
  });

  it('answers / with a 503 saying to build the dashboard when it is missing', async () => {
    const response = await http()
      .get('/')
      .set('Authorization', basic('admin:s3cret:with-colon'))
      .expect(503);

    expect(response.type).toBe('text/plain');
    expect(response.text).toContain('npm run build');
  });
});
