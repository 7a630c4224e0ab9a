import {
  Global,
  Inject,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import {
  BROKER_MODULE_OPTIONS,
  type BrokerModuleOptions,
  ConfigurableBrokerModule,
} from './broker.module-definition';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BrokerHealthIndicator } from './broker.health';
import { CeleryClient } from './transport/celery.client';

/**
 * Provides the `CeleryClient` that publishes task messages, connected at
 * start-up and closed at shutdown.
 */
@Global()
@Module({
  providers: [
    {
      provide: CeleryClient,
      inject: [BROKER_MODULE_OPTIONS],
      useFactory: (options: BrokerModuleOptions) => new CeleryClient(options),
    },
    HealthIndicatorService,
    BrokerHealthIndicator,
  ],
  exports: [CeleryClient, BrokerHealthIndicator],
})
export class BrokerModule
  extends ConfigurableBrokerModule
  implements OnModuleInit, OnApplicationShutdown
{
  constructor(@Inject(CeleryClient) private readonly client: CeleryClient) {
    super();
  }

  // Not awaited: an app must start (and report not-ready) while the broker is down.
  onModuleInit(): void {
    void this.client.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
