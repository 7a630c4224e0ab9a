import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CeleriacConfig } from './celeriac-config';
import { validateEnvironment } from './validate-environment';

/** Validated environment for every app; fails the boot on a bad variable. */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      cache: true,
      ignoreEnvFile: true,
      validate: validateEnvironment,
    }),
  ],
  providers: [CeleriacConfig],
  exports: [CeleriacConfig],
})
export class CeleriacConfigModule {}
