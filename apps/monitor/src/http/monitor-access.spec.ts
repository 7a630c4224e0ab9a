import { BearerKeys } from '@celeriac/config';
import {
  controlsAvailability,
  isControl,
  type MonitorAccessPolicy,
  refusalOf,
} from './monitor-access';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const policy = (
  overrides: Partial<MonitorAccessPolicy> = {},
): MonitorAccessPolicy => ({
  basicAuth: null,
  keys: new BearerKeys([]),
  unauthenticatedApi: false,
  readOnly: false,
  ...overrides,
});
const withCredentials = (overrides: Partial<MonitorAccessPolicy> = {}) =>
  policy({
    basicAuth: { user: 'admin', password: 'pw' },
    keys: new BearerKeys(['key-1']),
    ...overrides,
  });

const send = { method: 'POST', path: '/api/task/send-task/add_task' };
const read = { method: 'GET', path: '/api/tasks' };

describe('isControl', () => {
  it('treats every method but GET, HEAD and OPTIONS as a control', () => {
    expect(['GET', 'head', 'OPTIONS'].map(isControl)).toEqual([
      false,
      false,
      false,
    ]);
    expect(['POST', 'PUT', 'DELETE', 'PATCH'].map(isControl)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});

describe('refusalOf', () => {
  describe('with default settings', () => {
    it('refuses a control with 401 and says how to allow it', () => {
      const refusal = refusalOf(send, policy());

      expect(refusal).toMatchObject({
        status: 401,
        code: 'AUTHENTICATION_NOT_CONFIGURED',
        challenge: expect.stringMatching(/^Basic realm=/) as string,
      });
      expect(refusal?.detail).toContain('MONITOR_UNAUTHENTICATED_API');
    });

    it('leaves reads, metrics and probes open', () => {
      expect(refusalOf(read, policy())).toBeUndefined();
      expect(refusalOf({ method: 'GET', path: '/metrics' }, policy())).toBe(
        undefined,
      );
      expect(
        refusalOf({ method: 'GET', path: '/health/ready' }, policy()),
      ).toBe(undefined);
    });
  });

  it('allows a control without credentials with MONITOR_UNAUTHENTICATED_API', () => {
    expect(refusalOf(send, policy({ unauthenticatedApi: true }))).toBe(
      undefined,
    );
  });

  describe('with credentials configured', () => {
    it.each([
      ['Basic', basic('admin:pw')],
      ['Bearer', 'Bearer key-1'],
    ])('accepts %s on reads and controls', (_, authorization) => {
      expect(refusalOf({ ...send, authorization }, withCredentials())).toBe(
        undefined,
      );
      expect(refusalOf({ ...read, authorization }, withCredentials())).toBe(
        undefined,
      );
    });

    it.each([
      ['none', undefined],
      ['a wrong password', basic('admin:nope')],
      ['an unknown key', 'Bearer key-2'],
      ['a key given as Basic', basic('key-1')],
    ])(
      'answers 401 to %s, on reads too, naming both schemes',
      (_, authorization) => {
        for (const request of [send, read]) {
          expect(
            refusalOf({ ...request, authorization }, withCredentials()),
          ).toMatchObject({
            status: 401,
            code: 'UNAUTHORIZED',
            challenge:
              'Basic realm="celeriac monitor", charset="UTF-8", Bearer realm="celeriac monitor"',
          });
        }
      },
    );

    it('accepts a bearer key alone when only keys are configured', () => {
      const keysOnly = policy({ keys: new BearerKeys(['key-1']) });

      expect(
        refusalOf({ ...send, authorization: 'Bearer key-1' }, keysOnly),
      ).toBeUndefined();
      expect(refusalOf(send, keysOnly)).toMatchObject({
        status: 401,
        challenge: 'Bearer realm="celeriac monitor"',
      });
    });

    it('keeps the probes open', () => {
      expect(
        refusalOf({ method: 'GET', path: '/healthcheck' }, withCredentials()),
      ).toBeUndefined();
    });
  });

  describe("another site's page", () => {
    it.each(['cross-site', 'same-site'])(
      'cannot make a browser send a control (Sec-Fetch-Site: %s)',
      (fetchSite) => {
        for (const given of [
          policy({ unauthenticatedApi: true }),
          withCredentials(),
        ]) {
          expect(
            refusalOf(
              { ...send, fetchSite, authorization: basic('admin:pw') },
              given,
            ),
          ).toMatchObject({ status: 403, code: 'CROSS_SITE_REQUEST' });
        }
      },
    );

    it('lets the dashboard (same-origin), a typed URL (none) and scripts (no header) through, and reads from anywhere', () => {
      const open = policy({ unauthenticatedApi: true });
      for (const fetchSite of ['same-origin', 'none', undefined]) {
        expect(refusalOf({ ...send, fetchSite }, open)).toBeUndefined();
      }
      expect(
        refusalOf({ ...read, fetchSite: 'cross-site' }, open),
      ).toBeUndefined();
    });
  });

  describe('read-only', () => {
    it('answers 403 to a control even with the right credentials', () => {
      expect(
        refusalOf(
          { ...send, authorization: basic('admin:pw') },
          withCredentials({ readOnly: true }),
        ),
      ).toMatchObject({ status: 403, code: 'READ_ONLY' });
    });

    it('answers 403 without credentials configured, opted out or not', () => {
      for (const unauthenticatedApi of [false, true]) {
        expect(
          refusalOf(send, policy({ readOnly: true, unauthenticatedApi })),
        ).toMatchObject({ status: 403, code: 'READ_ONLY' });
      }
    });

    it('still asks for credentials first where they are configured, and lets reads through', () => {
      expect(
        refusalOf(send, withCredentials({ readOnly: true })),
      ).toMatchObject({ status: 401 });
      expect(refusalOf(read, policy({ readOnly: true }))).toBeUndefined();
    });
  });
});

describe('controlsAvailability', () => {
  it.each([
    ['default settings', policy(), false, []],
    ['the opt-out', policy({ unauthenticatedApi: true }), true, []],
    ['credentials', withCredentials(), true, ['basic', 'bearer']],
    [
      'read-only',
      withCredentials({ readOnly: true }),
      false,
      ['basic', 'bearer'],
    ],
  ])('with %s: controls %s', (_, given, controls, authentication) => {
    expect(controlsAvailability(given)).toEqual({
      readOnly: given.readOnly,
      controls,
      authentication,
    });
  });
});
