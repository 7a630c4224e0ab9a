/**
 * The metric names a PromQL expression reads, for tests that check every
 * name a dashboard or an alert uses is exported. Not a parser: it removes
 * what cannot be a metric name (strings, comments, label matchers, ranges,
 * `by (...)`-style label lists, numbers and durations), then keeps the
 * identifiers that are not a function call, a keyword or an operator.
 */

/** Words PromQL reserves: binary operators, modifiers and literals. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'inf',
  'nan',
]);

// Label lists after these words hold label names, not metrics.
const LABEL_LIST =
  /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;
const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
// Grafana's $__rate_interval, $job, ${DS_PROMETHEUS}, [[var]].
const TEMPLATE_VARIABLE = /\$\{[^}]*\}|\$\w+|\[\[\w+\]\]/g;
const TOKEN =
  /(?<duration>(?:\d+(?:ms|[smhdwy]))+)|(?<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?<word>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?/g;

/**
 * Every metric name `expr` selects, in order of appearance, once each.
 * Grafana's template variables are allowed anywhere a value is.
 *
 * @example metricNames('sum by (task) (rate(x_total{state="FAILURE"}[5m]))') // ['x_total']
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(STRING, '""')
    .replace(/#.*$/gm, '')
    .replace(TEMPLATE_VARIABLE, '1')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(LABEL_LIST, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(TOKEN)) {
    const { word, call } = match.groups ?? {};
    if (word === undefined || call !== undefined) {
      continue;
    }
    if (!KEYWORDS.has(word.toLowerCase())) {
      names.add(word);
    }
  }
  return [...names];
}

/**
 * The metric names of a Grafana variable query: `label_values(m, label)`,
 * `label_values(label)` (none), `metrics(regex)` (none), `query_result(expr)`.
 */
export function variableQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\s*\((.*),\s*\w+\s*\)\s*$/s.exec(query);
  if (labelValues) {
    return metricNames(labelValues[1]);
  }
  const result = /^\s*query_result\s*\((.*)\)\s*$/s.exec(query);
  if (result) {
    return metricNames(result[1]);
  }
  return [];
}
