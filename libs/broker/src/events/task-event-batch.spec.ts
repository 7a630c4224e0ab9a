import { setImmediate as nextTurn } from 'node:timers/promises';
import { TaskEventBatch } from './task-event-batch';

/** The loop's next pass, where a batch is sent. */
async function nextPass(): Promise<void> {
  await nextTurn();
  await nextTurn();
}

describe('TaskEventBatch', () => {
  const batch = (limit?: number) => {
    const sent: unknown[] = [];
    const events = new TaskEventBatch(
      (json) => sent.push(JSON.parse(json)),
      limit,
    );
    return { sent, events };
  };

  it("sends a turn's events as one JSON list, in order, on the loop's next pass", async () => {
    const { sent, events } = batch();
    events.add('{"type":"task-received","clock":1}');
    events.add('{"type":"task-started","clock":2}');
    expect(sent).toEqual([]);
    await nextTurn();
    expect(sent).toEqual([]); // the turn's own writes go first
    await nextTurn();
    expect(sent).toEqual([
      [
        { type: 'task-received', clock: 1 },
        { type: 'task-started', clock: 2 },
      ],
    ]);
    events.add('{"type":"task-succeeded","clock":3}');
    await nextPass();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual([{ type: 'task-succeeded', clock: 3 }]);
  });

  it('sends at once when the batch reaches its limit, the rest at the turn end', async () => {
    const { sent, events } = batch(2);
    for (let clock = 1; clock <= 3; clock++) {
      events.add(`{"clock":${clock}}`);
    }
    expect(sent).toEqual([[{ clock: 1 }, { clock: 2 }]]);
    await nextPass();
    expect(sent).toEqual([[{ clock: 1 }, { clock: 2 }], [{ clock: 3 }]]);
  });

  it('flushes on demand and sends nothing when empty', async () => {
    const { sent, events } = batch();
    events.flush();
    events.add('{"clock":1}');
    events.flush();
    await nextPass();
    expect(sent).toEqual([[{ clock: 1 }]]);
  });
});
