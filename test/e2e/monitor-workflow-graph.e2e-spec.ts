import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { InteropTasksModule } from '../interop/utils/interop-tasks.module';
import {
  bootApi,
  bootMonitor,
  bootWorker,
  useEnvironment,
} from '../utils/boot-apps';
import { launchChromium } from '../utils/chromium';
import { pollUntil } from '../utils/poll-until';
import { deleteQueue } from '../utils/rabbitmq';
import {
  BOOT_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  teardown,
} from '../utils/teardown';

// The task page's workflow graph in a real browser: a chord inside a chain
// runs on a real worker (sum_task from the interop tasks), the real monitor
// follows its events, and Debian's Chromium shows the graph filling in live.
const run = randomUUID();
const queue = `e2e-workflow-graph-${run}`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: `e2e-workflow-graph-${run}@test`,
  WORKER_CONCURRENCY: '4',
  // add_task: 20 PROGRESS steps of 0.15 s, 3 s a step: slow enough to watch.
  TASK_TIME_SCALE: '0.15',
  RESULT_EXPIRES: '300',
  MONITOR_QUEUES: queue,
  // Built from the sources by the e2e globalSetup.
  MONITOR_DASHBOARD_DIR: 'dist/monitor-dashboard',
});

const SCREENSHOTS = join(process.cwd(), 'test-results');
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = 120_000;

const add = (...args: number[]) => ({ task: 'add_task', args });

/** chain(add(1, 2), chord([add(1), add(2), add(3)], sum_task), add(10)) */
const CHORD_IN_CHAIN = {
  chain: [
    add(1, 2),
    { chord: { header: [add(1), add(2), add(3)], body: { task: 'sum_task' } } },
    add(10),
  ],
};

/** What the page draws: nodes with their states, and edges. */
interface DrawnGraph {
  nodes: { id: string; state: string; current: boolean }[];
  edges: string[];
  groups: string[];
}

function drawnGraph(page: Page): Promise<DrawnGraph> {
  return page.evaluate(() => {
    const all = (selector: string) =>
      Array.from(document.querySelectorAll(selector));
    return {
      nodes: all('[data-testid="workflow-node"]').map((node) => ({
        id: node.getAttribute('data-task-id') ?? '',
        state: node.getAttribute('data-state') ?? '',
        current: node.classList.contains('wf-current'),
      })),
      edges: all('[data-testid="workflow-edge"]').map(
        (edge) =>
          `${edge.getAttribute('data-from')} -${edge.getAttribute('data-kind')}-> ${edge.getAttribute('data-to')}`,
      ),
      groups: all('[data-testid="workflow-group"]').map((group) =>
        String(group.getAttribute('data-group-id')),
      ),
    };
  });
}

describe('the workflow graph on the monitor task page, in headless Chromium', () => {
  let api: INestApplication;
  let worker: INestApplication;
  let monitor: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  let monitorUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    monitor = await bootMonitor();
    await monitor.listen(0, '127.0.0.1');
    const { port } = monitor.getHttpServer().address() as AddressInfo;
    monitorUrl = `http://127.0.0.1:${port}`;
    api = await bootApi({ imports: [InteropTasksModule] });
    worker = await bootWorker({ imports: [InteropTasksModule] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, BOOT_TIMEOUT_MS);

  afterAll(
    () =>
      teardown(
        () => browser?.close(),
        () => worker?.close(),
        () => api?.close(),
        () => monitor?.close(),
        () => deleteQueue(queue),
      ),
    TEARDOWN_TIMEOUT_MS,
  );

  it(
    'draws a chord-in-chain with every step, and colours the nodes live as they run',
    async () => {
      await page.goto(`${monitorUrl}/#/`);
      await page
        .locator('[data-testid="connection"][data-status="live"]')
        .waitFor({ timeout: UI_TIMEOUT });

      const submitted = await request(api.getHttpServer())
        .post('/v1/workflows')
        .send(CHORD_IN_CHAIN)
        .expect(202);
      const ids = submitted.body.task_ids as string[];
      const [groupId] = submitted.body.group_ids as string[];
      expect(ids).toHaveLength(6);
      const [first, h1, h2, h3, body, last] = ids;
      expect(submitted.body.task_id).toBe(last);

      // Opened straight away, as a user following the workflow would: the
      // page must pick the graph up once the monitor hears of the task.
      await page.goto(`${monitorUrl}/#/task/${first}`);
      await page.evaluate(() => {
        (window as unknown as { notReloaded: boolean }).notReloaded = true;
      });
      await page
        .locator('[data-testid="workflow-node"]')
        .nth(5)
        .waitFor({ timeout: UI_TIMEOUT });

      const drawn = await drawnGraph(page);
      expect(drawn.nodes.map((node) => node.id)).toEqual(ids);
      expect(drawn.nodes.filter((node) => node.current)).toEqual([
        expect.objectContaining({ id: first }),
      ]);
      expect(drawn.edges.sort()).toEqual(
        [
          `${first} -group-> ${h1}`,
          `${first} -group-> ${h2}`,
          `${first} -group-> ${h3}`,
          `${h1} -chord-> ${body}`,
          `${h2} -chord-> ${body}`,
          `${h3} -chord-> ${body}`,
          `${body} -chain-> ${last}`,
        ].sort(),
      );
      expect(drawn.groups).toEqual([groupId]);

      // Every look at the graph until the last step is SUCCESS, on the same
      // page (no reload): the states must be seen moving.
      const looks: DrawnGraph[] = [];
      let shotWhileRunning = false;
      mkdirSync(SCREENSHOTS, { recursive: true });
      await pollUntil(
        async () => {
          const look = await drawnGraph(page);
          looks.push(look);
          const running = look.nodes.some((node) =>
            ['STARTED', 'PROGRESS'].includes(node.state),
          );
          if (
            running &&
            !shotWhileRunning &&
            look.nodes[1].state !== 'PENDING'
          ) {
            shotWhileRunning = true;
            await page.screenshot({
              path: join(SCREENSHOTS, 'monitor-workflow-graph-running.png'),
              fullPage: true,
            });
          }
          return look;
        },
        (look) => look.nodes.every((node) => node.state === 'SUCCESS'),
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const statesOf = (id: string) => [
        ...new Set(
          looks.map((look) => look.nodes.find((node) => node.id === id)?.state),
        ),
      ];
      // A finished task never looks running again (a stale fetch must not
      // repaint it).
      for (const id of ids) {
        const seen = looks.map(
          (look) => look.nodes.find((node) => node.id === id)?.state,
        );
        const done = seen.indexOf('SUCCESS');
        expect(seen.slice(done)).toEqual(seen.slice(done).map(() => 'SUCCESS'));
      }
      // A header member: planned (PENDING), then running, then done.
      expect(statesOf(h2)[0]).toBe('PENDING');
      expect(statesOf(h2)).toEqual(
        expect.arrayContaining(['PROGRESS', 'SUCCESS']),
      );
      // The last step was drawn before it existed, and ended SUCCESS.
      expect(statesOf(last)[0]).toBe('PENDING');
      expect(statesOf(last).at(-1)).toBe('SUCCESS');
      expect(shotWhileRunning).toBe(true);
      await expect(
        page.evaluate(
          () => (window as unknown as { notReloaded?: boolean }).notReloaded,
        ),
      ).resolves.toBe(true);

      await page.screenshot({
        path: join(SCREENSHOTS, 'monitor-workflow-graph.png'),
        fullPage: true,
      });

      // The JSON behind it: the body's result is the chain's, 25.
      const json = await request(monitor.getHttpServer())
        .get(`/api/monitor/tasks/${body}/workflow`)
        .expect(200);
      expect(json.body).toMatchObject({
        taskId: body,
        rootId: first,
        truncated: false,
        groups: [
          { id: groupId, size: 3, members: [h1, h2, h3], chordBody: body },
        ],
      });
      await request(monitor.getHttpServer())
        .get(`/api/monitor/tasks/${randomUUID()}/workflow`)
        .expect(404);

      // A node opens its task, whose page draws the same workflow.
      await page
        .locator(`[data-testid="workflow-node"][data-task-id="${body}"] a`)
        .click();
      await page.waitForURL((url) => url.hash === `#/task/${body}`, {
        timeout: UI_TIMEOUT,
      });
      await page
        .locator(
          `[data-testid="workflow-node"][data-task-id="${body}"].wf-current`,
        )
        .waitFor({ timeout: UI_TIMEOUT });
      expect((await drawnGraph(page)).nodes.map((node) => node.id)).toEqual(
        ids,
      );
      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
