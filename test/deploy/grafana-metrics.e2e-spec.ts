// Every metric the Grafana dashboard and the alert rules in deploy/ name is
// exported by the real apps, run as built processes against RabbitMQ and
// Redis after some tasks ran (so labelled series exist); and a real
// Prometheus with the shipped scrape config and rules evaluates every panel
// (each with data) and every rule without an error.
import { connect } from 'amqplib';
import { Queue } from 'bullmq';
import { randomInt, randomUUID } from 'node:crypto';
import { DEAD_LETTER_QUEUE, declareDeadLetter } from '@celeriac/broker';
import { SCHEDULE_QUEUE } from '@celeriac/schedule';
import {
  allPanels,
  loadObservabilityFiles,
  OBSERVABILITY_FILES as FILES,
  readDeployFile,
  ruleExpressions,
} from '../utils/observability-files';
import { OwnedPrometheus } from '../utils/owned-prometheus';
import { pollUntil } from '../utils/poll-until';
import {
  type PrometheusFamily,
  parsePrometheusText,
} from '../utils/prometheus-text';
import { prometheusTools, runPromtool } from '../utils/promtool';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import { TEST_REDIS_PORT, testRedisUrl } from '../utils/redis';
import {
  API_APP,
  BEAT_APP,
  type BuiltApp,
  MONITOR_APP,
  WORKER_APP,
  WorkerProcess,
} from '../utils/worker-process';

const { dashboard, rules, scrapeConfig, expressions } =
  loadObservabilityFiles();
// Series Prometheus writes itself for each target: no app exports them.
const SYNTHETIC = new Set(['up']);
// Panels that show failures have no series until a task fails.
const EMPTY_WITHOUT_FAILURES = new Set(['Failures by task', 'Failure ratio']);
const { promtool, prometheus } = prometheusTools();
const withPromtool = promtool ? it : it.skip;
const withPrometheus = prometheus ? it : it.skip;

describe('every metric the dashboard and the rules name', () => {
  const queue = `e2e-grafana-${randomUUID()}`;
  // A Redis database of its own, so that only this beat takes its delayed
  // task (9-13: no jest worker's, see test/utils/test-services.mjs).
  const redisUrl = testRedisUrl(randomInt(9, 14));
  const env = {
    TASK_DEFAULT_QUEUE: queue,
    WORKER_QUEUES: queue,
    WORKER_HOSTNAME: `e2e-grafana-${randomUUID()}@e2e`,
    TASK_TIME_SCALE: '0',
    RESULT_EXPIRES: '300',
    RESULT_BACKEND_URL: redisUrl,
    BEAT_DELAY_THRESHOLD: '1',
    API_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
  };
  const apps: Record<string, BuiltApp> = {
    api: API_APP,
    worker: WORKER_APP,
    beat: BEAT_APP,
    monitor: MONITOR_APP,
  };
  const running: Record<string, WorkerProcess> = {};
  const base = (app: string) => `http://127.0.0.1:${running[app].healthPort}`;

  const scrape = async (): Promise<
    Record<string, Map<string, PrometheusFamily>>
  > => {
    const scraped: Record<string, Map<string, PrometheusFamily>> = {};
    for (const app of Object.keys(apps)) {
      const response = await fetch(`${base(app)}/metrics`);
      expect([app, response.status]).toEqual([app, 200]);
      scraped[app] = parsePrometheusText(await response.text());
    }
    return scraped;
  };

  /** The names no app has a sample of yet, with where they are used. */
  const missing = (scraped: Record<string, Map<string, PrometheusFamily>>) => {
    const exported = new Set(
      Object.values(scraped).flatMap((families) =>
        [...families.values()].flatMap(({ samples }) =>
          samples.map(({ name }) => name),
        ),
      ),
    );
    return expressions.flatMap(({ where, metrics }) =>
      metrics
        .filter((name) => !SYNTHETIC.has(name) && !exported.has(name))
        .map((name) => `${name} (${where})`),
    );
  };

  beforeAll(async () => {
    // The dead-letter queue exists once any worker dead-lettered a message;
    // declared here (the same durable queue) so the monitor samples it.
    const connection = await connect(TEST_BROKER_URL);
    await declareDeadLetter(await connection.createChannel());
    await connection.close();
    for (const [name, app] of Object.entries(apps)) {
      running[name] = await WorkerProcess.start(env, app);
    }
  }, 120_000);

  afterAll(async () => {
    for (const process of Object.values(running)) {
      process.signal('SIGTERM');
      await process.exited;
    }
    const schedule = new Queue(SCHEDULE_QUEUE, {
      connection: {
        host: '127.0.0.1',
        port: TEST_REDIS_PORT,
        db: Number(redisUrl.split('/').at(-1)),
      },
    });
    await schedule.obliterate({ force: true });
    await schedule.close();
    await deleteQueue(queue);
  }, 60_000);

  it('is exported by the api, the worker, beat or the monitor once tasks ran', async () => {
    const submit = async (body: object) => {
      const response = await fetch(`${base('api')}/v1/tasks`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { task_id: string }).task_id;
    };
    const waitFor = async (id: string) => {
      const response = await fetch(`${base('api')}/v1/tasks/${id}?wait=20`);
      return ((await response.json()) as { status?: string }).status;
    };
    // A task, a chain (the worker publishes its next step) and a countdown
    // past BEAT_DELAY_THRESHOLD (beat publishes it when it comes due).
    const now = await submit({ task: 'add_task', args: [1, 2] });
    const later = await submit({
      task: 'multi_task',
      args: [2, 3],
      countdown: 2,
    });
    const chain = await fetch(`${base('api')}/solo/chain?a=1&b=2`);
    expect(chain.status).toBe(200);
    expect(await waitFor(now)).toBe('SUCCESS');
    expect(await waitFor(later)).toBe('SUCCESS');

    const stillMissing = await pollUntil(
      async () => missing(await scrape()),
      (names) => names.length === 0,
      { timeoutMs: 30_000, intervalMs: 1_000 },
    );
    expect(stillMissing).toEqual([]);
  }, 90_000);

  it('the queue gauges hold the dead-letter queue and the worker’s queue with its consumer', async () => {
    // The monitor samples every 2 s.
    const { monitor } = await pollUntil(
      () => scrape(),
      (scraped) =>
        (scraped.monitor.get('celeriac_queue_consumers')?.samples.length ?? 0) >
        0,
      { timeoutMs: 10_000, intervalMs: 500 },
    );
    const consumers = monitor.get('celeriac_queue_consumers')?.samples ?? [];
    expect(consumers).toContainEqual({
      name: 'celeriac_queue_consumers',
      labels: { queue },
      value: 1,
    });
    expect(
      monitor
        .get('celeriac_queue_messages_ready')
        ?.samples.some(({ labels }) => labels.queue === DEAD_LETTER_QUEUE),
    ).toBe(true);
  });

  withPromtool(
    'promtool check metrics finds nothing to fix in the celeriac_* metrics',
    async () => {
      for (const [app, families] of Object.entries(await scrape())) {
        const text = await (await fetch(`${base(app)}/metrics`)).text();
        const ours = text
          .split('\n')
          .filter((line) => /^(# (HELP|TYPE) )?celeriac_/.test(line))
          .join('\n');
        expect(families.size).toBeGreaterThan(0);
        const { status, output } = runPromtool(
          promtool ?? '',
          ['check', 'metrics'],
          {
            input: `${ours}\n`,
          },
        );
        expect([app, status, output]).toEqual([app, 0, '']);
      }
    },
  );

  withPrometheus(
    'a real Prometheus with the shipped scrape config and rules evaluates every panel and rule, and the panels have data',
    async () => {
      const shipped = scrapeConfig;
      const server = await OwnedPrometheus.start(
        prometheus ?? '',
        {
          ...shipped,
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          scrape_configs: shipped.scrape_configs.map((job) => ({
            ...job,
            static_configs: [
              {
                targets: [
                  `127.0.0.1:${running[job.job_name.replace(/^celeriac-/, '')].healthPort}`,
                ],
              },
            ],
          })),
        },
        { 'alerts.yaml': readDeployFile(FILES.alerts) },
      );
      try {
        // rate() and deriv() need a few scrapes of every target.
        const scraped = await pollUntil(
          () => server.query('count(count_over_time(up[1m]) >= 5)'),
          (answer) =>
            (answer.data?.result[0] as { value?: [number, string] })
              ?.value?.[1] === '4',
          { timeoutMs: 20_000, intervalMs: 500 },
        );
        expect([scraped.data?.result, server.log()]).toEqual([
          [expect.objectContaining({ value: [expect.any(Number), '4'] })],
          server.log(),
        ]);

        const failed: string[] = [];
        const empty: string[] = [];
        for (const panel of allPanels(dashboard.panels)) {
          for (const target of panel.targets ?? []) {
            // Grafana's variables as "All" would set them.
            const expr = (target.expr ?? '')
              .replaceAll('$__rate_interval', '10s')
              .replace(/\$\{?\w+\}?/g, '.*');
            const answer = await server.query(expr);
            if (answer.status !== 'success') {
              failed.push(`${panel.title}: ${answer.error} in ${expr}`);
            } else if (
              answer.data?.result.length === 0 &&
              !EMPTY_WITHOUT_FAILURES.has(panel.title)
            ) {
              empty.push(`${panel.title} ${target.refId}: ${expr}`);
            }
          }
        }
        expect(failed).toEqual([]);
        expect(empty).toEqual([]);

        const evaluated = await pollUntil(
          () => server.rules(),
          (loaded) =>
            loaded.length > 0 &&
            loaded.every((rule) => rule.health !== 'unknown'),
          { timeoutMs: 10_000, intervalMs: 500 },
        );
        const byName = (a: { name: string }, b: { name: string }) =>
          a.name.localeCompare(b.name);
        expect(
          evaluated
            .map(({ name, health, lastError }) => ({
              name,
              health,
              lastError: lastError ?? '',
            }))
            .sort(byName),
        ).toEqual(
          ruleExpressions(rules)
            .map(({ where }) => ({
              name: where.split('/').at(-1) ?? '',
              health: 'ok',
              lastError: '',
            }))
            .sort(byName),
        );
      } finally {
        await server.stop();
      }
    },
    60_000,
  );
});
