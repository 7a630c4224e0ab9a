import { parsePrometheusText } from './prometheus-text';

const TEXT = `# HELP celeriac_worker_tasks_total Tasks that ended.
# TYPE celeriac_worker_tasks_total counter
celeriac_worker_tasks_total{task="add_task",state="SUCCESS"} 3
celeriac_worker_tasks_total{task="we\\"ird",state="FAILURE"} 1

# HELP celeriac_api_publish_confirm_seconds Confirm latency.
# TYPE celeriac_api_publish_confirm_seconds histogram
celeriac_api_publish_confirm_seconds_bucket{le="0.1",outcome="confirmed"} 2
celeriac_api_publish_confirm_seconds_bucket{le="+Inf",outcome="confirmed"} 2
celeriac_api_publish_confirm_seconds_sum{outcome="confirmed"} 0.0123
celeriac_api_publish_confirm_seconds_count{outcome="confirmed"} 2
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.7e9 1700000000000
`;

describe('parsePrometheusText', () => {
  it('reads families, their type, help and labelled samples', () => {
    const families = parsePrometheusText(TEXT);

    expect([...families.keys()]).toEqual([
      'celeriac_worker_tasks_total',
      'celeriac_api_publish_confirm_seconds',
      'process_start_time_seconds',
    ]);
    expect(families.get('celeriac_worker_tasks_total')).toEqual({
      type: 'counter',
      help: 'Tasks that ended.',
      samples: [
        {
          name: 'celeriac_worker_tasks_total',
          labels: { task: 'add_task', state: 'SUCCESS' },
          value: 3,
        },
        {
          name: 'celeriac_worker_tasks_total',
          labels: { task: 'we"ird', state: 'FAILURE' },
          value: 1,
        },
      ],
    });
  });

  it("puts a histogram's _bucket, _sum and _count under the family", () => {
    const histogram = parsePrometheusText(TEXT).get(
      'celeriac_api_publish_confirm_seconds',
    );

    expect(histogram?.type).toBe('histogram');
    expect(histogram?.samples.map(({ name }) => name)).toEqual([
      'celeriac_api_publish_confirm_seconds_bucket',
      'celeriac_api_publish_confirm_seconds_bucket',
      'celeriac_api_publish_confirm_seconds_sum',
      'celeriac_api_publish_confirm_seconds_count',
    ]);
    expect(histogram?.samples[1]).toMatchObject({
      labels: { le: '+Inf' },
      value: 2,
    });
  });

  it('reads exponents and a timestamp', () => {
    expect(
      parsePrometheusText(TEXT).get('process_start_time_seconds')?.samples,
    ).toEqual([
      { name: 'process_start_time_seconds', labels: {}, value: 1.7e9 },
    ]);
  });

  it.each([
    ['NaN', NaN],
    ['Nan', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['+infinity', Infinity],
  ])('reads %s as Prometheus does', (text, value) => {
    expect(
      parsePrometheusText(`x_seconds ${text}`).get('x_seconds')?.samples[0]
        .value,
    ).toBe(value);
  });

  it.each([
    ['a signed NaN', 'x_seconds -NaN'],
    ['a line that is no sample', 'this is not prometheus'],
    ['a value that is no number', 'x_total 12abc'],
    ['an unknown type', '# TYPE x_total countr'],
    ['unquoted label values', 'x_total{a=b} 1'],
    ['labels without commas', 'x_total{a="1" b="2"} 1'],
    ['a label twice', 'x_total{a="1",a="2"} 1'],
    ['a TYPE after samples', 'x_total 1\n# TYPE x_total counter'],
    ['a second HELP', '# HELP x a\n# HELP x b'],
  ])('throws on %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow(/line \d+/);
  });
});
