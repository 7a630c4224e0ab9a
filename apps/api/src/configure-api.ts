import type { INestApplication } from '@nestjs/common';
import { CeleriacConfig } from '@celeriac/config';
import { createValidationPipe } from './problem/validation.pipe';
import { configureHttpPipeline } from './security';
import { setupSwagger } from './swagger/setup-swagger';

/** Everything main.ts applies to the app, shared with the e2e tests. */
export function configureApi(app: INestApplication): void {
  configureHttpPipeline(app, {
    bodyLimit: app.get(CeleriacConfig).api.bodyLimit,
  });
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
}
