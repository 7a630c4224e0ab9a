import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TaskQueueType } from './topology/queue-type';
import type { CountdownDelivery } from './transport/native-countdown';

/** Options of `BrokerModule.forRoot` / `forRootAsync`. */
export interface BrokerModuleOptions {
  url: string;
  /** See `CeleryClientOptions.queueType`. */
  queueType?: TaskQueueType;
  /** See `CeleryClientOptions.countdownDelivery`. */
  countdownDelivery?: CountdownDelivery;
  /** Shown in RabbitMQ's connection list. */
  connectionName?: string;
  publishTimeoutMs?: number;
  /** See `CeleryClientOptions.failFastWhileDown`. */
  failFastWhileDown?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableBrokerModule,
  MODULE_OPTIONS_TOKEN: BROKER_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<BrokerModuleOptions>()
  .setClassMethodName('forRoot')
  .build();
