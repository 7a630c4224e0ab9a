import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** Anything that knows whether its broker connection is up. */
export interface BrokerConnectionProbe {
  isConnected(): boolean;
}

/**
 * Reports the live state of an app's own RabbitMQ connection, instead of
 * opening a connection per probe as Terminus' microservice indicator does.
 */
@Injectable()
export class BrokerHealthIndicator {
  constructor(private readonly health: HealthIndicatorService) {}

  isConnected(key: string, probe: BrokerConnectionProbe) {
    const indicator = this.health.check(key);
    return probe.isConnected()
      ? indicator.up()
      : indicator.down({ message: 'not connected to RabbitMQ' });
  }
}
