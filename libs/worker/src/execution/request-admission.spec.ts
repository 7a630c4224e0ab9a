import { setTimeout as sleep } from 'node:timers/promises';
import {
  fakeDelivery,
  FakeDelayedTasks,
  fakeEngine,
  type FakeDelivery,
  type FakeEngine,
} from '../../../../test/fakes';

const NO_ARGS = { args: [], kwargs: {} };

function secondsFromNow(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

describe('RequestAdmission', () => {
  let engine: FakeEngine;

  beforeEach(() => {
    engine = fakeEngine({ concurrency: 1 });
  });

  afterEach(() => {
    engine.holds.stop();
  });

  function admit(delivery: FakeDelivery) {
    const request = engine.requests.receive(delivery);
    return {
      request,
      admission: Promise.resolve(
        engine.admission.admit(
          delivery,
          request,
          { name: delivery.message.headers.task, params: [] },
          NO_ARGS,
        ),
      ),
    };
  }

  it('admits a plain task to run, holding one execution slot until released', async () => {
    const first = await admit(fakeDelivery()).admission;
    expect(first.verdict).toBe('run');

    let secondAdmitted = false;
    const second = admit(fakeDelivery()).admission.then((admission) => {
      secondAdmitted = true;
      return admission;
    });
    await sleep(10);
    expect(secondAdmitted).toBe(false);

    if (first.verdict !== 'settled') {
      first.release();
    }
    await expect(second).resolves.toMatchObject({ verdict: 'run' });
  });

  it('says expired for a task past its expires, without taking a slot', async () => {
    const delivery = fakeDelivery({ expires: secondsFromNow(-1) });
    const admission = await admit(delivery).admission;
    expect(admission.verdict).toBe('expired');
    // The only slot is still free.
    await expect(admit(fakeDelivery()).admission).resolves.toMatchObject({
      verdict: 'run',
    });
    expect(delivery.settlement).toBe('open');
  });

  it('says revoked for an id revoked before it got its slot', async () => {
    const delivery = fakeDelivery();
    engine.revocations.revoke([delivery.message.headers.id], false);
    await expect(admit(delivery).admission).resolves.toMatchObject({
      verdict: 'revoked',
    });
  });

  it('holds a near ETA unacked with the prefetch raised, then admits it as reserved', async () => {
    const delivery = fakeDelivery({ eta: secondsFromNow(0.2) });
    const { request, admission } = admit(delivery);
    await sleep(50);
    expect(delivery.holds).toBe(1);
    expect(request.stage).toBe('scheduled');
    await expect(admission).resolves.toMatchObject({ verdict: 'run' });
    expect(delivery.holds).toBe(0);
    expect(request.stage).toBe('reserved');
    expect(delivery.settlement).toBe('open');
  });

  it('gives a held ETA task back to its queue when shutdown begins', async () => {
    const delivery = fakeDelivery({ eta: secondsFromNow(60) });
    const { admission } = admit(delivery);
    await sleep(10);
    engine.holds.stop();
    await expect(admission).resolves.toEqual({ verdict: 'settled' });
    expect(delivery.settlement).toBe('requeue');
    expect(delivery.holds).toBe(0);
  });

  it('hands an ETA beyond BEAT_DELAY_THRESHOLD to beat and acks it', async () => {
    const delayed = new FakeDelayedTasks(60);
    engine = fakeEngine({ delayed });
    const delivery = fakeDelivery({ eta: secondsFromNow(3600) });
    await expect(admit(delivery).admission).resolves.toEqual({
      verdict: 'settled',
    });
    expect(delivery.settlement).toBe('ack');
    expect(delayed.scheduled.map(({ message }) => message.headers.id)).toEqual([
      delivery.message.headers.id,
    ]);
  });

  it('holds a far ETA itself when beat cannot take it', async () => {
    const delayed = new FakeDelayedTasks(60);
    delayed.failWith = new Error('Redis down');
    engine = fakeEngine({ delayed });
    const delivery = fakeDelivery({ eta: secondsFromNow(3600) });
    const { admission } = admit(delivery);
    await sleep(10);
    expect(delivery.holds).toBe(1);
    engine.holds.stop();
    await expect(admission).resolves.toEqual({ verdict: 'settled' });
    expect(delivery.settlement).toBe('requeue');
  });

  it('gives back a task that waited for a slot when shutdown began meanwhile', async () => {
    const first = await admit(fakeDelivery()).admission;
    const waiting = fakeDelivery();
    const second = admit(waiting).admission;
    engine.holds.stop();
    if (first.verdict !== 'settled') {
      first.release();
    }
    await expect(second).resolves.toEqual({ verdict: 'settled' });
    expect(waiting.settlement).toBe('requeue');
  });

  it('waits for a rate limit without a slot, and gives the task back at shutdown', async () => {
    engine.register({ name: 'limited', rateLimit: '1/m' });
    const definition = engine.registry.get('limited')!;
    const run = (delivery: FakeDelivery) =>
      Promise.resolve(
        engine.admission.admit(
          delivery,
          engine.requests.receive(delivery),
          definition,
          NO_ARGS,
        ),
      );
    const first = await run(fakeDelivery({ task: 'limited' }));
    expect(first.verdict).toBe('run');
    const throttled = fakeDelivery({ task: 'limited' });
    const second = run(throttled);
    await sleep(10);
    expect(throttled.holds).toBe(1);
    engine.holds.stop();
    await expect(second).resolves.toEqual({ verdict: 'settled' });
    expect(throttled.settlement).toBe('requeue');
  });
});
