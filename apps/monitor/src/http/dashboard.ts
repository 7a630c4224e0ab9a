import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Paths that belong to the monitor's own routes (or Bull Board's), never to the dashboard. */
export function isServerPath(path: string): boolean {
  return (
    /^\/(api|queues)(\/|$)/.test(path) ||
    path === '/metrics' ||
    path.startsWith('/health')
  );
}

/**
 * Serves the dashboard's built files from `dir` (resolved from the cwd),
 * with `index.html` for any other GET that is not a server path
 * (client-side routes). Without the directory the monitor still starts and
 * those paths answer 503 saying how to build it.
 */
export function serveDashboard(
  app: NestExpressApplication,
  dir: string,
  logger: LoggerService,
): void {
  const root = resolve(process.cwd(), dir);
  const index = join(root, 'index.html');
  if (existsSync(index)) {
    app.useStaticAssets(root, { index: 'index.html' });
  } else {
    logger.warn({ msg: 'no dashboard build: / answers 503', dir: root });
  }
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      isServerPath(request.path)
    ) {
      next();
      return;
    }
    if (existsSync(index)) {
      response.sendFile(index);
      return;
    }
    response
      .status(503)
      .type('text/plain')
      .send(
        `The dashboard is not built (no ${index}): run npm run build, then restart the monitor.\n`,
      );
  });
}
