import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CeleriacConfig } from './celeriac-config';
import { validateEnvironment } from './validate-environment';

/** Validated environment for every app; fails the boot on a bad variable. */
@Global()
@Module({})
export class CeleriacConfigModule {
  // A method, not a static import list: the environment is read when an app
  // module is built, not when this file is first imported.
  static forRoot(): DynamicModule {
    return {
      module: CeleriacConfigModule,
      imports: [
        ConfigModule.forRoot({
          cache: true,
          ignoreEnvFile: true,
          validate: validateEnvironment,
        }),
      ],
      providers: [CeleriacConfig],
      exports: [CeleriacConfig],
    };
  }
}
