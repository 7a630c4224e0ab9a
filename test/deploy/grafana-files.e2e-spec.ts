// The Grafana dashboard, the Prometheus alert rules and the scrape config in
// deploy/: they parse, have the shape Grafana and Prometheus load, and
// promtool (Debian's, see test/utils/promtool.ts) accepts them and runs the
// rules' unit tests. grafana-metrics.e2e-spec.ts checks them against the apps.
import { resolve } from 'node:path';
import { EnvironmentVariables } from '@celeriac/config';
import { MetricsController as AppMetrics } from '../../libs/config/src/metrics/metrics.controller';
import { MetricsController as MonitorMetrics } from '../../apps/monitor/src/metrics/metrics.controller';
import {
  allPanels,
  dashboardExpressions,
  loadDeployYaml,
  loadObservabilityFiles,
  OBSERVABILITY_FILES as FILES,
} from '../utils/observability-files';
import { prometheusTools, runPromtool } from '../utils/promtool';

const { dashboard, rules, scrapeConfig, expressions } =
  loadObservabilityFiles();
const defaults = new EnvironmentVariables();
const { promtool } = prometheusTools();
const withPromtool = promtool ? it : it.skip;

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
    const config = scrapeConfig;
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
        const { status, output } = runPromtool(promtool ?? '', args, { cwd });
        expect([args.join(' '), status, output]).toEqual([
          args.join(' '),
          0,
          expect.stringContaining('SUCCESS'),
        ]);
      }
    },
  );
});
