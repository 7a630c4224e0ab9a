import {
  canRetry,
  canRevoke,
  formatAge,
  formatDuration,
  formatLoad,
  formatRate,
  isHeartbeatLate,
  progressPercent,
  shortId,
  stateLook,
} from './format';

describe('stateLook', () => {
  it('gives each Celery state a label and a tone', () => {
    expect(stateLook('SUCCESS')).toEqual({ label: 'Success', tone: 'success' });
    expect(stateLook('FAILURE').tone).toBe('failure');
    expect(stateLook('PROGRESS').tone).toBe('progress');
    expect(stateLook('REVOKED').tone).toBe('revoked');
    expect(stateLook('RETRY').tone).toBe('warning');
  });

  it('shows a custom state as written, in the pending tone', () => {
    expect(stateLook('UPLOADING')).toEqual({
      label: 'UPLOADING',
      tone: 'pending',
    });
  });
});

describe('actions by state', () => {
  it('offers retry only after FAILURE or REVOKED', () => {
    expect(['FAILURE', 'REVOKED'].filter(canRetry)).toEqual([
      'FAILURE',
      'REVOKED',
    ]);
    expect(['SUCCESS', 'STARTED', 'PROGRESS', 'PENDING'].some(canRetry)).toBe(
      false,
    );
  });

  it('offers revoke until the task is done', () => {
    expect(
      ['PENDING', 'RECEIVED', 'STARTED', 'PROGRESS', 'RETRY'].every(canRevoke),
    ).toBe(true);
    expect(['SUCCESS', 'FAILURE', 'REVOKED', 'REJECTED'].some(canRevoke)).toBe(
      false,
    );
  });
});

describe('progressPercent', () => {
  it('rounds current / total to a whole percent', () => {
    expect(progressPercent({ current: 1, total: 3 })).toBe(33);
    expect(progressPercent({ current: 20, total: 20 })).toBe(100);
  });

  it('clamps to 0..100', () => {
    expect(progressPercent({ current: 30, total: 20 })).toBe(100);
    expect(progressPercent({ current: -1, total: 20 })).toBe(0);
  });

  it('is null without a usable total', () => {
    expect(progressPercent(null)).toBeNull();
    expect(progressPercent({ current: 1, total: 0 })).toBeNull();
    expect(progressPercent({ current: Number.NaN, total: 5 })).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [0.0421, '42 ms'],
    [2.345, '2.35 s'],
    [185, '3m 05s'],
    [7440, '2h 04m'],
    [null, '—'],
    [-3, '0 ms'],
  ])('%p → %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatAge', () => {
  it.each([
    [0.2, 'now'],
    [12.7, '12s ago'],
    [250, '4m ago'],
    [3 * 3600 + 5, '3h ago'],
    [2 * 86400, '2d ago'],
    [null, '—'],
  ])('%p → %p', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});

describe('small formats', () => {
  it('prints rates, loads and short ids', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(2.345)).toBe('2.3/s');
    expect(formatRate(123.4)).toBe('123/s');
    expect(formatLoad([0.5, 0.25, 1])).toBe('0.50 0.25 1.00');
    expect(formatLoad(null)).toBe('—');
    expect(shortId('0d4c7a3e-1111-2222-3333-444455556666')).toBe('0d4c7a3e…');
    expect(shortId('short')).toBe('short');
  });
});

describe('isHeartbeatLate', () => {
  it('is late past 1.5 × the interval, 2 s when unknown', () => {
    expect(isHeartbeatLate(2.9, 2)).toBe(false);
    expect(isHeartbeatLate(3.1, 2)).toBe(true);
    expect(isHeartbeatLate(10, 10)).toBe(false);
    expect(isHeartbeatLate(3.1, null)).toBe(true);
    expect(isHeartbeatLate(null, 2)).toBe(false);
  });
});
