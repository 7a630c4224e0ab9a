import { buildEventBody } from './event-dispatcher';
import { TaskEventJson } from './event-json';

const NOW = 1_786_190_400_123;

/** What the dispatcher sent before TaskEventJson: the body, stringified. */
function general(
  type: string,
  uuid: string,
  fields: Record<string, unknown> | undefined,
  clock: number,
  utcoffset = 0,
): string {
  return JSON.stringify(
    buildEventBody(
      type,
      { uuid, ...fields },
      { hostname: 'celeriac@höst "1"', clock, now: NOW, pid: 42, utcoffset },
    ),
  );
}

describe('TaskEventJson', () => {
  const encoder = () => new TaskEventJson('celeriac@höst "1"', 42, () => 0);

  it.each([
    ['task-started', undefined],
    ['task-started', {}],
    ['task-succeeded', { result: '3', runtime: 0.000123 }],
    [
      'task-received',
      {
        name: 'add_task',
        args: '(1, 2)',
        kwargs: '{}',
        root_id: null,
        parent_id: null,
        retries: 0,
        eta: null,
        expires: '2026-12-07T06:00:00+00:00',
        canvas: { chain: ['a', { nested: [1, 'ü\n'] }] },
      },
    ],
    ['task-failed', { exception: "ValueError('x')", traceback: undefined }],
    ['task-revoked', { terminated: false, signum: null, expired: true }],
  ])('writes the bytes of the general path for %s %j', (type, fields) => {
    const json = encoder().encode(type, 'id-1', fields, 7, NOW);
    expect(json).toBe(general(type, 'id-1', fields, 7));
    expect(JSON.parse(json!)).toEqual(
      JSON.parse(general(type, 'id-1', fields, 7)),
    );
  });

  it.each([
    'uuid',
    'type',
    'hostname',
    'timestamp',
    'utcoffset',
    'pid',
    'clock',
  ])('leaves fields with %s to the general path', (key) => {
    expect(
      encoder().encode('task-started', 'id', { [key]: 1 }, 1, NOW),
    ).toBeUndefined();
  });

  it('reads the UTC offset once a minute', () => {
    const offsets = [-2, 5];
    const readings: number[] = [];
    const json = new TaskEventJson('n@h', 1, (now) => {
      readings.push(now);
      return offsets[readings.length - 1];
    });
    const offsetOf = (now: number) =>
      (
        JSON.parse(json.encode('task-started', 'id', undefined, 1, now)!) as {
          utcoffset: number;
        }
      ).utcoffset;
    expect(offsetOf(NOW)).toBe(-2);
    expect(offsetOf(NOW + 59_999)).toBe(-2);
    expect(offsetOf(NOW + 60_000)).toBe(5);
    expect(readings).toEqual([NOW, NOW + 60_000]);
  });
});
