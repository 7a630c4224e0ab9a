import type { NextFunction, Request, Response } from 'express';
import {
  BearerKeys,
  bearerTokenOf,
  type CeleriacConfig,
  ProblemCode,
} from '@celeriac/config';
import type { MonitorClientConfig } from '../contract/monitor-views';
import { hasCredentials, isOpenPath } from './basic-auth';

/** Who may do what on the monitor: built from MONITOR_* once, at boot. */
export interface MonitorAccessPolicy {
  basicAuth: { user: string; password: string } | null;
  keys: BearerKeys;
  /** FLOWER_UNAUTHENTICATED_API: controls without credentials when none are configured. */
  unauthenticatedApi: boolean;
  readOnly: boolean;
}

export function accessPolicyOf(
  monitor: CeleriacConfig['monitor'],
): MonitorAccessPolicy {
  return {
    basicAuth: monitor.basicAuth,
    keys: new BearerKeys(monitor.apiKeys),
    unauthenticatedApi: monitor.unauthenticatedApi,
    readOnly: monitor.readOnly,
  };
}

export function controlsAvailability(
  policy: MonitorAccessPolicy,
): MonitorClientConfig {
  const authentication = schemesOf(policy);
  return {
    readOnly: policy.readOnly,
    controls:
      !policy.readOnly &&
      (authentication.length > 0 || policy.unauthenticatedApi),
    authentication,
  };
}

/**
 * A control: anything but a read. Every route of the monitor (Flower's API,
 * celeriac's retry, Bull Board's buttons) that changes something is a POST,
 * PUT or DELETE, so a new one is protected without being listed.
 */
export function isControl(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Why a request is refused, as the problem body says it. */
export interface AccessRefusal {
  status: 401 | 403;
  code:
    | ProblemCode.Unauthorized
    | ProblemCode.AuthenticationNotConfigured
    | ProblemCode.ReadOnly
    | ProblemCode.CrossSiteRequest;
  detail: string;
  /** `WWW-Authenticate` of a 401. */
  challenge?: string;
}

const REALM = 'realm="celeriac monitor"';

/**
 * The monitor's access rules, in this order:
 * 1. the health probes are always open;
 * 2. with MONITOR_BASIC_AUTH or MONITOR_API_KEYS, every other path needs
 *    one of them (401), reads included, as MONITOR_BASIC_AUTH always did;
 * 3. with MONITOR_READ_ONLY, every control is 403, credentials or not;
 * 4. a control a browser sends from another site's page is 403: the
 *    browser would attach cached Basic credentials to a forged form post;
 * 5. with no credentials configured, a control is 401 unless
 *    MONITOR_UNAUTHENTICATED_API opts out, as Flower 2 refuses its API
 *    without FLOWER_UNAUTHENTICATED_API; reads stay open.
 */
export function refusalOf(
  request: {
    method: string;
    path: string;
    authorization?: string;
    /** The browser's `Sec-Fetch-Site`; scripts send none. */
    fetchSite?: string;
  },
  policy: MonitorAccessPolicy,
): AccessRefusal | undefined {
  if (isOpenPath(request.path)) {
    return undefined;
  }
  const schemes = schemesOf(policy);
  if (schemes.length > 0 && !isAuthenticated(request.authorization, policy)) {
    return {
      status: 401,
      code: ProblemCode.Unauthorized,
      detail: `This monitor needs ${schemes.map((scheme) => (scheme === 'basic' ? 'HTTP Basic credentials' : 'a bearer key')).join(' or ')}.`,
      challenge: schemes
        .map((scheme) =>
          scheme === 'basic'
            ? `Basic ${REALM}, charset="UTF-8"`
            : `Bearer ${REALM}`,
        )
        .join(', '),
    };
  }
  if (!isControl(request.method)) {
    return undefined;
  }
  if (policy.readOnly) {
    return {
      status: 403,
      code: ProblemCode.ReadOnly,
      detail:
        'This monitor is read-only (MONITOR_READ_ONLY=true): it sends no tasks and controls no workers.',
    };
  }
  if (request.fetchSite === 'cross-site' || request.fetchSite === 'same-site') {
    return {
      status: 403,
      code: ProblemCode.CrossSiteRequest,
      detail:
        "The monitor's controls answer only its own pages and non-browser clients, not another site's page.",
    };
  }
  if (schemes.length === 0 && !policy.unauthenticatedApi) {
    return {
      status: 401,
      code: ProblemCode.AuthenticationNotConfigured,
      detail:
        "The monitor's controls need authentication: set MONITOR_BASIC_AUTH or MONITOR_API_KEYS, or MONITOR_UNAUTHENTICATED_API=true (Flower's FLOWER_UNAUTHENTICATED_API) to allow them without credentials.",
      challenge: `Basic ${REALM}, charset="UTF-8"`,
    };
  }
  return undefined;
}

/** The Express middleware that applies {@link refusalOf} before any route. */
export function monitorAccess(policy: MonitorAccessPolicy) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const refusal = refusalOf(
      {
        method: request.method,
        path: request.path,
        authorization: request.headers.authorization,
        fetchSite: request.get('sec-fetch-site'),
      },
      policy,
    );
    if (!refusal) {
      next();
      return;
    }
    if (refusal.challenge) {
      response.set('WWW-Authenticate', refusal.challenge);
    }
    response
      .status(refusal.status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title: refusal.status === 401 ? 'Unauthorized' : 'Forbidden',
          status: refusal.status,
          detail: refusal.detail,
          instance: request.originalUrl,
          code: refusal.code,
        }),
      );
  };
}

function schemesOf(policy: MonitorAccessPolicy): ('basic' | 'bearer')[] {
  return [
    ...(policy.basicAuth ? (['basic'] as const) : []),
    ...(policy.keys.enabled ? (['bearer'] as const) : []),
  ];
}

function isAuthenticated(
  authorization: string | undefined,
  policy: MonitorAccessPolicy,
): boolean {
  if (policy.basicAuth && hasCredentials(authorization, policy.basicAuth)) {
    return true;
  }
  const token = bearerTokenOf(authorization);
  return token !== undefined && policy.keys.matches(token);
}
