// The Grafana dashboard, the Prometheus alert rules and scrape config in
// deploy/: they parse, have the shape Grafana and Prometheus load (promtool
// checks them when it can be found), and every metric they name is exported
// by the real apps, run as built processes against RabbitMQ and Redis after
// some tasks ran, so labelled series exist.
import { connect } from 'amqplib';
import { Queue } from 'bullmq';
import { randomInt, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { DEAD_LETTER_QUEUE, declareDeadLetter } from '@celeriac/broker';
import { EnvironmentVariables } from '@celeriac/config';
import { SCHEDULE_QUEUE } from '@celeriac/schedule';
import { MetricsController as AppMetrics } from '../../libs/config/src/metrics/metrics.controller';
import { MetricsController as MonitorMetrics } from '../../apps/monitor/src/metrics/metrics.controller';
import {
  allPanels,
  dashboardExpressions,
  type GrafanaDashboard,
  loadDeployYaml,
  OBSERVABILITY_FILES as FILES,
  type PromqlUse,
  readDeployFile,
  type RuleFile,
  ruleExpressions,
} from '../utils/observability-files';
import { pollUntil } from '../utils/poll-until';
import {
  type PrometheusFamily,
  parsePrometheusText,
} from '../utils/prometheus-text';
import { findPromtool, runPromtool } from '../utils/promtool';
import { deleteQueue, TEST_BROKER_URL } from '../utils/rabbitmq';
import {
  API_APP,
  BEAT_APP,
  type BuiltApp,
  MONITOR_APP,
  WORKER_APP,
  WorkerProcess,
} from '../utils/worker-process';

const dashboard = JSON.parse(
  readDeployFile(FILES.dashboard),
) as GrafanaDashboard;
const rules = loadDeployYaml<RuleFile>(FILES.alerts);
const expressions: PromqlUse[] = [
  ...dashboardExpressions(dashboard),
  ...ruleExpressions(rules),
];
// Series Prometheus writes itself for each target: no app exports them.
const SYNTHETIC = new Set(['up']);
const defaults = new EnvironmentVariables();

const promtool = findPromtool();
if ('missing' in promtool) {
  console.warn(`\n*** PROMTOOL CHECKS SKIPPED: ${promtool.missing} ***\n`);
}
const withPromtool = 'path' in promtool ? it : it.skip;
const promtoolPath = 'path' in promtool ? promtool.path : '';

describe('the Grafana dashboard', () => {
  const panels = allPanels(dashboard.panels);
  const queries = panels.filter((panel) => panel.type !== 'row');

  it('is Grafana dashboard JSON whose every panel queries the DS_PROMETHEUS data source', () => {
    expect(dashboard).toMatchObject({
      uid: expect.stringMatching(/^[\w-]{1,40}$/),
      title: 'celeriac',
      schemaVersion: expect.any(Number),
    });
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({
        name: 'DS_PROMETHEUS',
        type: 'datasource',
        query: 'prometheus',
      }),
    );
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    expect(queries.length).toBeGreaterThan(20);
    for (const panel of queries) {
      const { x, w } = panel.gridPos;
      expect([panel.title, x >= 0 && w > 0 && x + w <= 24]).toEqual([
        panel.title,
        true,
      ]);
      expect([panel.title, panel.datasource?.uid]).toEqual([
        panel.title,
        '${DS_PROMETHEUS}',
      ]);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.expr).toMatch(/\S/);
      }
    }
  });

  it('covers throughput, runtimes, queues, workers, the api, beat and the processes', () => {
    const used = new Set(expressions.flatMap(({ metrics }) => metrics));
    for (const metric of [
      'celeriac_worker_tasks_total',
      'celeriac_worker_task_runtime_seconds_bucket',
      'celeriac_queue_messages_ready',
      'celeriac_queue_consumers',
      'flower_worker_online',
      'celeriac_api_task_submissions_total',
      'celeriac_api_publish_confirm_seconds_bucket',
      'celeriac_beat_task_publishes_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect([metric, used.has(metric)]).toEqual([metric, true]);
    }
    expect(
      dashboardExpressions(dashboard).some(({ expr }) =>
        expr.startsWith('histogram_quantile('),
      ),
    ).toBe(true);
  });

  it('is provisioned from its folder, with a Prometheus data source', () => {
    const provider = loadDeployYaml<{
      apiVersion: number;
      providers: { type: string; options: { path: string } }[];
    }>(FILES.dashboardProvider);
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: expect.any(String) }),
      }),
    ]);
    const datasources = loadDeployYaml<{
      apiVersion: number;
      datasources: { type: string; uid: string; url: string }[];
    }>(FILES.datasource);
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        uid: expect.any(String),
        url: expect.stringMatching(/^https?:\/\//),
      }),
    ]);
  });
});

describe('the Prometheus alert rules and scrape config', () => {
  const alerts = rules.groups.flatMap((group) => group.rules);

  it('is a rule file: groups of alerts, each with expr, for, a severity and a summary', () => {
    expect(rules.groups.length).toBeGreaterThan(0);
    for (const group of rules.groups) {
      expect(group.name).toMatch(/\S/);
      expect(group.rules.length).toBeGreaterThan(0);
    }
    for (const rule of alerts) {
      expect(rule).toEqual({
        alert: expect.stringMatching(/^[A-Z][A-Za-z0-9]+$/),
        expr: expect.stringMatching(/\S/),
        for: expect.stringMatching(/^\d+[smh]$/),
        labels: { severity: expect.stringMatching(/^(warning|critical)$/) },
        annotations: {
          summary: expect.stringMatching(/\S/),
          description: expect.stringMatching(/\S/),
        },
      });
    }
    const names = alerts.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    // A worker gone, a queue growing, failures up, dead letters waiting.
    expect(names).toEqual(
      expect.arrayContaining([
        'CeleriacWorkerDown',
        'CeleriacQueueGrowing',
        'CeleriacTaskFailureRateHigh',
        'CeleriacDeadLetters',
      ]),
    );
  });

  it('scrapes each app where it serves /metrics, under the job names the rules select', () => {
    const config = loadDeployYaml<{
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        metrics_path?: string;
        static_configs: { targets: string[] }[];
      }[];
    }>(FILES.prometheus);
    expect(config.rule_files).toEqual(['alerts.yaml']);
    const served = `/${Reflect.getMetadata('path', AppMetrics) as string}`;
    expect(`/${Reflect.getMetadata('path', MonitorMetrics) as string}`).toBe(
      served,
    );
    const jobs = Object.fromEntries(
      config.scrape_configs.map((job) => [
        job.job_name,
        {
          path: job.metrics_path ?? '/metrics',
          targets: job.static_configs.flatMap(({ targets }) => targets),
        },
      ]),
    );
    expect(jobs).toEqual({
      'celeriac-api': { path: served, targets: [`api:${defaults.API_PORT}`] },
      'celeriac-worker': {
        path: served,
        targets: [`worker:${defaults.WORKER_HEALTH_PORT}`],
      },
      'celeriac-beat': {
        path: served,
        targets: [`beat:${defaults.BEAT_HEALTH_PORT}`],
      },
      'celeriac-monitor': {
        path: served,
        targets: [`monitor:${defaults.MONITOR_PORT}`],
      },
    });
    // Every job a rule or panel names by regex or literal (not by a
    // dashboard variable) is a scraped one.
    for (const { where, expr } of expressions) {
      for (const [, operator, value] of expr.matchAll(
        /\bjob\s*(=~|=)\s*"([^"$]*)"/g,
      )) {
        const pattern = new RegExp(
          `^(?:${operator === '=' ? value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : value})$`,
        );
        const matched = Object.keys(jobs).filter((job) => pattern.test(job));
        expect([where, matched.length > 0]).toEqual([where, true]);
      }
    }
  });

  withPromtool(
    'promtool accepts the rules and the config, and the rules pass their unit tests',
    () => {
      const cwd = resolve(process.cwd(), 'deploy/prometheus');
      for (const args of [
        ['check', 'rules', 'alerts.yaml'],
        ['check', 'config', 'prometheus.yml'],
        ['test', 'rules', 'alerts.test.yaml'],
      ]) {
        const { status, output } = runPromtool(promtoolPath, args, { cwd });
        expect([args.join(' '), status, output]).toEqual([
          args.join(' '),
          0,
          expect.stringContaining('SUCCESS'),
        ]);
      }
    },
  );
});

describe('every metric the dashboard and the rules name', () => {
  const queue = `e2e-grafana-${randomUUID()}`;
  // A Redis database of its own, so that only this beat takes its delayed task.
  const redisUrl = `redis://127.0.0.1:6379/${randomInt(2, 16)}`;
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
        port: 6379,
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
          promtoolPath,
          ['check', 'metrics'],
          {
            input: `${ours}\n`,
          },
        );
        expect([app, status, output]).toEqual([app, 0, '']);
      }
    },
  );
});
