import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from '@nestjs/common';
import {
  CeleriacConfig,
  httpServerSpans,
  tracingEnabled,
} from '@celeriac/config';
import type { MonitorClientConfig } from '../contract/monitor-views';
import { serveDashboard } from './dashboard';
import {
  accessPolicyOf,
  controlsAvailability,
  monitorAccess,
} from './monitor-access';

/** Everything main.ts applies to the monitor, shared with the e2e tests. */
export function configureMonitor(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  if (tracingEnabled()) {
    app.use(httpServerSpans);
  }
  const { monitor } = app.get(CeleriacConfig);
  const policy = accessPolicyOf(monitor);
  // Before every route, Bull Board's included.
  app.use(monitorAccess(policy));
  logAccess(controlsAvailability(policy), monitor.unauthenticatedApi);
  serveDashboard(app, monitor.dashboardDir, new Logger('Dashboard'));
}

// One line at boot that says who can drive the cluster from here.
function logAccess(
  availability: MonitorClientConfig,
  unauthenticatedApi: boolean,
): void {
  const logger = new Logger('MonitorAccess');
  const { readOnly, controls, authentication } = availability;
  if (readOnly) {
    logger.log({ msg: 'read-only: every control answers 403', authentication });
  } else if (authentication.length > 0) {
    logger.log({ msg: 'controls need credentials', authentication });
  } else if (unauthenticatedApi) {
    logger.warn({
      msg: 'controls open without credentials (MONITOR_UNAUTHENTICATED_API=true): anyone who reaches this port can send tasks and shut workers down',
    });
  } else {
    logger.log({
      msg: 'controls off: no credentials configured (MONITOR_BASIC_AUTH, MONITOR_API_KEYS); reads stay open',
      controls,
    });
  }
}
