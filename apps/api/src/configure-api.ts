import type { INestApplication } from '@nestjs/common';
import {
  CeleriacConfig,
  httpServerSpans,
  tracingEnabled,
} from '@celeriac/config';
import { createValidationPipe } from './problem/validation.pipe';
import { configureHttpPipeline } from './security';
import { setupSwagger } from './swagger/setup-swagger';

/** Everything main.ts applies to the app, shared with the e2e tests. */
export function configureApi(app: INestApplication): void {
  // First, so the SERVER span covers every later middleware.
  if (tracingEnabled()) {
    app.use(httpServerSpans);
  }
  // Names the framework to every client for no benefit.
  const express = app.getHttpAdapter().getInstance() as {
    disable(setting: string): void;
  };
  express.disable('x-powered-by');
  configureHttpPipeline(app, {
    bodyLimit: app.get(CeleriacConfig).api.bodyLimit,
  });
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
}
