import { asChannel, RecordingChannel } from '../../../../test/fakes/amqp.fake';
import { PrefetchHolds } from './prefetch-holds';

describe(PrefetchHolds.name, () => {
  it('raises the prefetch by one per held ETA message, and lowers it on release', async () => {
    const channel = new RecordingChannel();
    const holds = new PrefetchHolds(2);
    await holds.reset(asChannel(channel), true);
    const first = holds.hold(asChannel(channel));
    const second = holds.hold(asChannel(channel));
    expect(holds.count).toBe(4);
    first();
    first();
    second();
    expect(holds.count).toBe(2);
    expect(channel.sent).toEqual([
      'prefetch 2 global',
      'prefetch 3 global',
      'prefetch 4 global',
      'prefetch 3 global',
      'prefetch 2 global',
    ]);
  });

  it('lets holds taken on a replaced channel lapse', async () => {
    const old = new RecordingChannel();
    const holds = new PrefetchHolds(2);
    await holds.reset(asChannel(old), true);
    const release = holds.hold(asChannel(old));
    const fresh = new RecordingChannel();
    await holds.reset(asChannel(fresh), true);
    release();
    expect(holds.count).toBe(2);
    expect(fresh.sent).toEqual(['prefetch 2 global']);
  });

  it('leaves a per-consumer prefetch (quorum queues) alone', async () => {
    const channel = new RecordingChannel();
    const holds = new PrefetchHolds(2);
    await holds.reset(asChannel(channel), false);
    holds.hold(asChannel(channel))();
    expect(channel.sent).toEqual(['prefetch 2']);
    expect(holds.count).toBe(2);
  });
});
