import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import { metricNames, variableQueryMetricNames } from './promql-metrics';

/** deploy/: the Grafana dashboard and provisioning, Prometheus' config and rules. */
export const OBSERVABILITY_FILES = {
  dashboard: 'deploy/grafana/dashboards/celeriac.json',
  dashboardProvider: 'deploy/grafana/provisioning/dashboards/celeriac.yaml',
  datasource: 'deploy/grafana/provisioning/datasources/prometheus.yaml',
  prometheus: 'deploy/prometheus/prometheus.yml',
  alerts: 'deploy/prometheus/alerts.yaml',
  alertTests: 'deploy/prometheus/alerts.test.yaml',
} as const;

export function readDeployFile(path: string): string {
  return readFileSync(resolve(process.cwd(), path), 'utf8');
}

export function loadDeployYaml<T>(path: string): T {
  return load(readDeployFile(path)) as T;
}

export interface DataSourceRef {
  type?: string;
  uid?: string;
}

export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DataSourceRef;
  targets?: { refId: string; expr?: string; datasource?: DataSourceRef }[];
  panels?: GrafanaPanel[];
}

export interface GrafanaVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
  datasource?: DataSourceRef;
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface RuleFile {
  groups: { name: string; interval?: string; rules: AlertRule[] }[];
}

/** Every panel, those inside collapsed rows too. */
export function allPanels(panels: GrafanaPanel[]): GrafanaPanel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** A PromQL expression and where it is written, for messages. */
export interface PromqlUse {
  where: string;
  expr: string;
  metrics: string[];
}

/** The expressions of the dashboard: panel targets and variable queries. */
export function dashboardExpressions(dashboard: GrafanaDashboard): PromqlUse[] {
  const targets = allPanels(dashboard.panels).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      where: `dashboard panel "${panel.title}" ${target.refId}`,
      expr: target.expr ?? '',
      metrics: metricNames(target.expr ?? ''),
    })),
  );
  const variables = dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => {
      const query =
        typeof variable.query === 'string'
          ? variable.query
          : (variable.query?.query ?? '');
      return {
        where: `dashboard variable $${variable.name}`,
        expr: query,
        metrics: variableQueryMetricNames(query),
      };
    });
  return [...targets, ...variables];
}

/** The expressions of the rule file, one per rule. */
export function ruleExpressions(rules: RuleFile): PromqlUse[] {
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({
      where: `rule ${group.name}/${rule.alert ?? rule.record}`,
      expr: String(rule.expr),
      metrics: metricNames(String(rule.expr)),
    })),
  );
}

export interface ScrapeConfig {
  rule_files: string[];
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    static_configs: { targets: string[] }[];
  }[];
}

/** The shipped dashboard, rules and scrape config, and every expression they hold. */
export function loadObservabilityFiles(): {
  dashboard: GrafanaDashboard;
  rules: RuleFile;
  scrapeConfig: ScrapeConfig;
  expressions: PromqlUse[];
} {
  const dashboard = JSON.parse(
    readDeployFile(OBSERVABILITY_FILES.dashboard),
  ) as GrafanaDashboard;
  const rules = loadDeployYaml<RuleFile>(OBSERVABILITY_FILES.alerts);
  return {
    dashboard,
    rules,
    scrapeConfig: loadDeployYaml<ScrapeConfig>(OBSERVABILITY_FILES.prometheus),
    expressions: [
      ...dashboardExpressions(dashboard),
      ...ruleExpressions(rules),
    ],
  };
}
