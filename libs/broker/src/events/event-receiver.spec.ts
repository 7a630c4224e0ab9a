import { decodeEvents } from './event-receiver';

describe('decodeEvents', () => {
  it('decodes one event and stamps local_received', () => {
    const [event] = decodeEvents(
      '{"type": "worker-heartbeat", "hostname": "a@h", "timestamp": 100.5, "utcoffset": 0, "freq": 2.0}',
      101,
      0,
    );

    expect(event).toEqual({
      type: 'worker-heartbeat',
      hostname: 'a@h',
      timestamp: 100.5,
      utcoffset: 0,
      freq: 2,
      local_received: 101,
    });
  });

  it('decodes a task.multi list', () => {
    const events = decodeEvents(
      JSON.stringify([
        { type: 'task-received', hostname: 'a@h', timestamp: 1, uuid: 'x' },
        { type: 'task-started', hostname: 'a@h', timestamp: 2, uuid: 'x' },
      ]),
      3,
      0,
    );

    expect(events.map((event) => event.type)).toEqual([
      'task-received',
      'task-started',
    ]);
  });

  it("localizes the timestamp with the sender's utcoffset", () => {
    const [event] = decodeEvents(
      '{"type": "worker-online", "hostname": "a@h", "timestamp": 10000, "utcoffset": -1}',
      10000,
      0,
    );

    expect(event.timestamp).toBe(10000 + 3600);
  });

  it.each([
    ['not JSON', '{'],
    ['a number', '1'],
    ['no type', '{"hostname": "a@h"}'],
    ['no hostname', '{"type": "worker-online"}'],
  ])('drops %s', (_, body) => {
    expect(decodeEvents(body, 1, 0)).toEqual([]);
  });
});
