import { ConfigurableModuleBuilder } from '@nestjs/common';

/** Options of `BrokerModule.forRoot` / `forRootAsync`. */
export interface BrokerModuleOptions {
  url: string;
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
