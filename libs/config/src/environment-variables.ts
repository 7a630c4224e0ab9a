// class-transformer's @Type reads design-time metadata.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

const QUEUE_LIST = /^[A-Za-z0-9._:@-]+(,[A-Za-z0-9._:@-]+)*$/;
const QUEUE_NAME = /^[A-Za-z0-9._:@-]+$/;

/** Every environment variable celeriac reads (README lists them). */
export class EnvironmentVariables {
  @Matches(/^amqps?:\/\//, {
    message: 'BROKER_URL must be an amqp:// or amqps:// URL',
  })
  BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672//';

  @Matches(/^rediss?:\/\//, {
    message: 'RESULT_BACKEND_URL must be a redis:// or rediss:// URL',
  })
  RESULT_BACKEND_URL = 'redis://127.0.0.1:6379/0';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  API_PORT = 8000;

  @Matches(QUEUE_LIST, {
    message: 'WORKER_QUEUES must be a comma-separated list of queue names',
  })
  WORKER_QUEUES = 'default-sum';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 2;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  WORKER_HEALTH_PORT = 8002;

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  WORKER_SHUTDOWN_TIMEOUT = 30;

  @IsOptional()
  @IsString()
  @Matches(/^[^\s]+$/, { message: 'WORKER_HOSTNAME must not contain spaces' })
  WORKER_HOSTNAME?: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  MONITOR_PORT = 5555;

  @Matches(QUEUE_NAME, { message: 'TASK_DEFAULT_QUEUE must be a queue name' })
  TASK_DEFAULT_QUEUE = 'default-sum';

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  TASK_TIME_SCALE = 1;

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  TASK_SOFT_TIME_LIMIT = 600;

  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.001)
  TASK_TIME_LIMIT = 1200;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  RESULT_EXPIRES = 86400;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';
}
