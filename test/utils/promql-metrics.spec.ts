import { metricNames, variableQueryMetricNames } from './promql-metrics';

describe('metricNames', () => {
  it.each([
    ['up', ['up']],
    ['up{job="celeriac-worker"} == 0', ['up']],
    [
      'sum by (task, state) (rate(celeriac_worker_tasks_total{task=~"$task"}[$__rate_interval]))',
      ['celeriac_worker_tasks_total'],
    ],
    [
      'sum(rate(a_total[5m])) by (instance) / on (instance) group_left (version) b_info',
      ['a_total', 'b_info'],
    ],
    [
      'histogram_quantile(0.95, sum by (le, task) (rate(x_seconds_bucket{state="SUCCESS"}[1h30m])))',
      ['x_seconds_bucket'],
    ],
    ['(sum(flower_worker_online) or vector(0)) < 1', ['flower_worker_online']],
    [
      'a > bool 1e-3 and b unless c offset 5m # comment naming not_a_metric',
      ['a', 'b', 'c'],
    ],
    [
      'absent(celeriac_queue_messages_ready)',
      ['celeriac_queue_messages_ready'],
    ],
    ['label_replace(up, "dst", "$1", "job", "celeriac-(.*)")', ['up']],
    ['rate(x_total[5m:30s]) * 0x10 + Inf - NaN', ['x_total']],
    ['max_over_time(deriv(q{queue="by (x)"}[10m])[1h:])', ['q']],
    ['sum without (instance) (x) + y', ['x', 'y']],
    ['process_cpu_seconds_total{job=~"${job}"}', ['process_cpu_seconds_total']],
  ])('%s reads %j', (expr, expected) => {
    expect(metricNames(expr)).toEqual(expected);
  });

  it('names each metric once', () => {
    expect(metricNames('a / a + sum(a) by (a)')).toEqual(['a']);
  });
});

describe('variableQueryMetricNames', () => {
  it('reads the selector of label_values and the expression of query_result', () => {
    expect(
      variableQueryMetricNames('label_values(up{job=~"celeriac-.*"}, job)'),
    ).toEqual(['up']);
    expect(
      variableQueryMetricNames('query_result(topk(5, sum by (task) (x)))'),
    ).toEqual(['x']);
  });

  it('finds none in a label-only query', () => {
    expect(variableQueryMetricNames('label_values(job)')).toEqual([]);
    expect(variableQueryMetricNames('metrics(celeriac_.*)')).toEqual([]);
  });
});
