import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import request from 'supertest';
import {
  bootApi,
  bootMonitor,
  bootWorker,
  useEnvironment,
} from '../utils/boot-apps';
import { pollUntil } from '../utils/poll-until';
import { launchChromium } from '../utils/chromium';
import { deleteQueue } from '../utils/rabbitmq';
import { teardown } from '../utils/teardown';

// The monitor's dashboard in a real browser: Debian's Chromium (the e2e
// globalSetup installs it when missing; Playwright downloads nothing) opens
// the dashboard the real monitor serves, while the seed flow runs on a real
// api and worker. Other people's workers share the broker: the page filters
// on this worker's unique hostname.
const run = randomUUID();
const queue = `e2e-dashboard-${run}`;
const hostname = `e2e-dashboard-${run}@test`;
useEnvironment({
  TASK_DEFAULT_QUEUE: queue,
  WORKER_QUEUES: queue,
  WORKER_HOSTNAME: hostname,
  // The three seed requests start three add_tasks and a multi_task at once.
  WORKER_CONCURRENCY: '4',
  // add_task: 20 PROGRESS steps of 0.25 s, about 5 s.
  TASK_TIME_SCALE: '0.25',
  RESULT_EXPIRES: '300',
  MONITOR_QUEUES: queue,
  // Built from the sources by the e2e globalSetup.
  MONITOR_DASHBOARD_DIR: 'dist/monitor-dashboard',
  // These suites drive the controls (send, revoke, time limits, consumers):
  // no credentials, so the explicit opt-out (monitor-controls.e2e-spec.ts
  // shows the default refusing them).
  MONITOR_UNAUTHENTICATED_API: 'true',
});

const SCREENSHOTS = join(process.cwd(), 'test-results');
const UI_TIMEOUT = 30_000;
// The dashboard build, Chromium's start and ~10 s of tasks.
const TEST_TIMEOUT = 120_000;

/** One attribute of every element a locator matches, in page order. */
async function attributes(
  locator: Locator,
  name: string,
): Promise<(string | null)[]> {
  return Promise.all(
    (await locator.all()).map((element) => element.getAttribute(name)),
  );
}

interface RowProbe {
  state: string | null;
  progress: { now: number; max: number } | null;
}

/** One look at a task's row: its state, and its progress bar if shown. */
function probeRow(page: Page, taskId: string): Promise<RowProbe> {
  return page.evaluate((id) => {
    const row = document.querySelector(
      `[data-testid="task-row"][data-task-id="${id}"]`,
    );
    const bar = row?.querySelector('[role="progressbar"]');
    return {
      state: row?.getAttribute('data-state') ?? null,
      progress: bar
        ? {
            now: Number(bar.getAttribute('aria-valuenow')),
            max: Number(bar.getAttribute('aria-valuemax')),
          }
        : null,
    };
  }, taskId);
}

describe('the monitor dashboard in headless Chromium', () => {
  let api: INestApplication;
  let worker: INestApplication;
  let monitor: INestApplication;
  let browser: Browser | undefined;
  let page: Page;
  let monitorUrl: string;
  const pageErrors: string[] = [];
  const http = () => request(api.getHttpServer());

  beforeAll(async () => {
    monitor = await bootMonitor();
    await monitor.listen(0, '127.0.0.1');
    const { port } = monitor.getHttpServer().address() as AddressInfo;
    monitorUrl = `http://127.0.0.1:${port}`;
    api = await bootApi();
    worker = await bootWorker();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, TEST_TIMEOUT);

  afterAll(
    () =>
      teardown(
        () => browser?.close(),
        () => worker?.close(),
        () => api?.close(),
        () => monitor?.close(),
        () => deleteQueue(queue),
      ),
    TEST_TIMEOUT,
  );

  it(
    'shows the seed flow live: add_task progress moves, then every task is SUCCESS',
    async () => {
      await page.goto(
        `${monitorUrl}/#/tasks?worker=${encodeURIComponent(hostname)}`,
      );
      await page
        .locator('[data-testid="connection"][data-status="live"]')
        .waitFor({ timeout: UI_TIMEOUT });

      const add = await http().get('/solo/add?a=2&b=3').expect(200);
      const chain = await http().get('/solo/chain?a=3&b=4').expect(200);
      const group = await http().get('/solo/group?a=20&b=76').expect(200);
      const addId = add.body.task_id as string;
      const seedIds = [
        addId,
        chain.body.task_id as string,
        ...(group.body.individual_tasks as string[]),
      ];

      // Every look at add_task's row until it is SUCCESS: the bar must be
      // seen moving while it runs.
      const seen: RowProbe[] = [];
      const final = await pollUntil(
        async () => {
          const probe = await probeRow(page, addId);
          seen.push(probe);
          return probe;
        },
        (probe) => probe.state === 'SUCCESS',
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      expect(final.state).toBe('SUCCESS');
      const progress = seen.flatMap((probe) =>
        probe.progress ? [probe.progress] : [],
      );
      expect(progress.length).toBeGreaterThan(0);
      for (const step of progress) {
        expect(step.max).toBe(20);
        expect(step.now).toBeGreaterThanOrEqual(1);
        expect(step.now).toBeLessThanOrEqual(20);
      }
      const values = progress.map((step) => step.now);
      expect(Math.max(...values)).toBeGreaterThan(values[0]);

      // The chain's first step has no id in the api's answer: it is the
      // fifth row of this worker's tasks.
      for (const id of seedIds) {
        await page
          .locator(
            `[data-testid="task-row"][data-task-id="${id}"][data-state="SUCCESS"]`,
          )
          .waitFor({ timeout: UI_TIMEOUT });
      }
      const rows = page.locator('[data-testid="task-row"]');
      await pollUntil(
        () => attributes(rows, 'data-state'),
        (states) => states.length === 5 && states.every((s) => s === 'SUCCESS'),
        { timeoutMs: UI_TIMEOUT, intervalMs: 200 },
      );
      expect(await attributes(rows, 'data-state')).toEqual(
        Array(5).fill('SUCCESS'),
      );
      await expect(
        page
          .locator(`[data-testid="task-row"][data-task-id="${addId}"] td`)
          .nth(4)
          .innerText(),
      ).resolves.toBe('5');

      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: join(SCREENSHOTS, 'monitor-dashboard.png'),
        fullPage: true,
      });

      // The detail of add_task: call, result, worker and its timeline.
      await page
        .locator(`[data-testid="task-row"][data-task-id="${addId}"] a.mono`)
        .click();
      const detail = page.locator('[data-testid="task-detail"]');
      await detail
        .locator('[data-testid="task-result"]', { hasText: '5' })
        .waitFor({ timeout: UI_TIMEOUT });
      await expect(
        detail.locator('[data-testid="task-args"]').innerText(),
      ).resolves.toContain('2, 3');
      await expect(
        detail.locator('[data-testid="task-worker"]').innerText(),
      ).resolves.toBe(hostname);
      await expect(
        attributes(
          detail.locator('[data-testid="task-timeline"] li'),
          'data-event',
        ),
      ).resolves.toEqual(
        expect.arrayContaining(['received', 'started', 'succeeded']),
      );
      // A succeeded task offers no retry and can no longer be revoked.
      await expect(
        detail.locator('[data-testid="action-retry"]').count(),
      ).resolves.toBe(0);
      await expect(
        detail.locator('[data-testid="action-revoke"]').isDisabled(),
      ).resolves.toBe(true);

      // The worker is listed online.
      await page.goto(`${monitorUrl}/#/workers`);
      await page
        .locator(
          `[data-testid="worker-row"][data-worker="${hostname}"][data-online="true"]`,
        )
        .waitFor({ timeout: UI_TIMEOUT });
      await page.goto(`${monitorUrl}/#/`);
      await page
        .locator('[data-testid="chart-throughput"] canvas')
        .waitFor({ timeout: UI_TIMEOUT });
      await page.screenshot({
        path: join(SCREENSHOTS, 'monitor-dashboard-overview.png'),
        fullPage: true,
      });

      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'retries a failed task from its detail page: a new task with the same call',
    async () => {
      // add_task refuses a string, as Python's `'x' + 1` would.
      const failing = await http()
        .post('/v1/tasks')
        .send({ task: 'add_task', args: ['x', 1] })
        .expect(202);
      const failedId = failing.body.task_id as string;
      await page.goto(`${monitorUrl}/#/task/${failedId}`);
      const detail = page.locator('[data-testid="task-detail"]');
      await detail
        .locator('[data-testid="task-state"]', { hasText: 'Failure' })
        .waitFor({ timeout: UI_TIMEOUT });
      await expect(
        detail.locator('[data-testid="task-exception"]').innerText(),
      ).resolves.toContain('TypeError');
      await expect(
        detail.locator('[data-testid="action-terminate"]').isDisabled(),
      ).resolves.toBe(true);
      // Controls allowed (MONITOR_UNAUTHENTICATED_API): the buttons are
      // there; monitor-read-only.e2e-spec.ts shows them gone.
      await expect(
        detail.locator('[data-testid="action-revoke"]').isVisible(),
      ).resolves.toBe(true);
      await expect(
        detail.locator('[data-testid="controls-off"]').count(),
      ).resolves.toBe(0);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({
        path: join(SCREENSHOTS, 'monitor-dashboard-controls.png'),
        fullPage: true,
      });

      await detail.locator('[data-testid="action-retry"]').click();
      await page.waitForURL(
        (url) => url.hash.startsWith('#/task/') && !url.hash.endsWith(failedId),
        { timeout: UI_TIMEOUT },
      );
      const retriedId = decodeURIComponent(
        new URL(page.url()).hash.replace('#/task/', ''),
      );
      expect(retriedId).not.toBe(failedId);
      // The same call again, so the same failure, on a task of its own.
      await page
        .locator('[data-testid="task-detail"] [data-testid="task-state"]', {
          hasText: 'Failure',
        })
        .waitFor({ timeout: UI_TIMEOUT });
      await expect(
        page
          .locator('[data-testid="task-detail"] [data-testid="task-id"]')
          .innerText(),
      ).resolves.toBe(retriedId);
      await expect(
        page
          .locator('[data-testid="task-detail"] [data-testid="task-args"]')
          .innerText(),
      ).resolves.toContain("'x', 1");
      expect(pageErrors).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});
