import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import { basicAuth } from './basic-auth';
import { serveDashboard } from './dashboard';

/** Everything main.ts applies to the monitor, shared with the e2e tests. */
export function configureMonitor(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  const { monitor } = app.get(CeleriacConfig);
  if (monitor.basicAuth) {
    app.use(basicAuth(monitor.basicAuth));
  }
  serveDashboard(app, monitor.dashboardDir, new Logger('Dashboard'));
}
