import { asRevoked, FakeRevoked } from '../../../../test/fakes';
import { Revocations } from './revocations';
import type { RunHandle } from './time-limits';

function recordingRun() {
  const calls: string[] = [];
  const handle: RunHandle = {
    abort: (reason) => calls.push(`abort:${(reason as Error).message}`),
    terminate: (reason) => calls.push(`terminate:${(reason as Error).message}`),
  };
  return { calls, handle };
}

describe('Revocations', () => {
  it('refuses the ids revoked while the worker was down, once bootstrapped', async () => {
    const stored = new FakeRevoked();
    await stored.revoke(['old']);
    const revocations = new Revocations(asRevoked(stored));
    expect(revocations.isRevoked('old')).toBe(false);
    await revocations.onApplicationBootstrap();
    expect(revocations.isRevoked('old')).toBe(true);
    expect(revocations.revokedIds()).toEqual(['old']);
  });

  it('terminates only running tasks, and only when asked to', () => {
    const revocations = new Revocations(asRevoked(new FakeRevoked()));
    const running = recordingRun();
    revocations.track('running', running.handle);

    expect(revocations.revoke(['running', 'queued'], false)).toEqual([]);
    expect(running.calls).toEqual([]);
    expect(revocations.revoke(['running', 'queued'], true)).toEqual([
      'running',
    ]);
    expect(running.calls).toEqual(['terminate:terminated']);
    expect(revocations.isRevoked('queued')).toBe(true);

    revocations.untrack('running');
    expect(revocations.revoke(['running'], true)).toEqual([]);
  });

  it('aborts every running task at shutdown, and each one that starts later', () => {
    const revocations = new Revocations(asRevoked(new FakeRevoked()));
    const before = recordingRun();
    revocations.track('before', before.handle);
    revocations.abortAll(new Error('worker shutting down'));
    const after = recordingRun();
    revocations.track('after', after.handle);
    expect(before.calls).toEqual(['abort:worker shutting down']);
    expect(after.calls).toEqual(['abort:worker shutting down']);
  });
});
