import {
  Body,
  Controller,
  Get,
  HttpCode,
  type INestApplication,
  Post,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { CeleriacConfig } from '@celeriac/config';
import { TaskSystemModule } from '@celeriac/tasks';
import { createApiHttpAdapter } from '../../apps/api/src/configure-api';
import { ProblemDetailsFilter } from '../../apps/api/src/problem/problem-details.filter';
import {
  configureHttpPipeline,
  SecurityModule,
} from '../../apps/api/src/security';
import { initFastifyApp } from './boot-apps';

/** One route of each kind the security layer tells apart. */
@Controller()
class PingController {
  @Get('v1/ping')
  v1() {
    return { pong: 'v1' };
  }

  @Post('v1/echo')
  @HttpCode(200)
  echo(@Body() body: unknown) {
    return { bytes: JSON.stringify(body).length };
  }

  @Get('solo/ping')
  solo() {
    return { pong: 'solo' };
  }

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

/**
 * SecurityModule on the real config and logging, with the api's problem
 * filter and pipeline. Call `useEnvironment` first.
 */
export async function bootSecuredApp(): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [TaskSystemModule.forApp('api'), SecurityModule],
    controllers: [PingController],
    providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
  }).compile();
  const app = moduleRef.createNestApplication(createApiHttpAdapter(), {
    logger: false,
  });
  configureHttpPipeline(app, {
    bodyLimit: app.get(CeleriacConfig).api.bodyLimit,
  });
  await initFastifyApp(app);
  return app;
}
