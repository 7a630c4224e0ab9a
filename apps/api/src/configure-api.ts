import type { INestApplication } from '@nestjs/common';
import { createValidationPipe } from './problem/validation.pipe';
import { setupSwagger } from './swagger/setup-swagger';

/** Everything main.ts applies to the app, shared with the e2e tests. */
export function configureApi(app: INestApplication): void {
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
}
