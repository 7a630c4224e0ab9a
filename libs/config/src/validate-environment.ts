import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigValidationError } from './config-validation.error';
import { credentialProblems } from './credential-checks';
import { EnvironmentVariables } from './environment-variables';

/** Celery's and Flower's names, accepted so a seed `.env` keeps working. */
const ALIASES: Record<string, keyof EnvironmentVariables> = {
  CELERY_BROKER_URL: 'BROKER_URL',
  CELERY_RESULT_BACKEND: 'RESULT_BACKEND_URL',
  // Flower's names, so a Flower deployment's settings keep their meaning.
  FLOWER_UNAUTHENTICATED_API: 'MONITOR_UNAUTHENTICATED_API',
  FLOWER_READ_ONLY: 'MONITOR_READ_ONLY',
};

/**
 * `ConfigModule`'s `validate`: applies defaults and aliases, then checks
 * every variable and throws one error that lists all the bad ones.
 */
export function validateEnvironment(
  raw: Record<string, unknown>,
): EnvironmentVariables {
  const withAliases: Record<string, unknown> = {};
  for (const [alias, name] of Object.entries(ALIASES)) {
    if (raw[alias] !== undefined && raw[alias] !== '') {
      withAliases[name] = raw[alias];
    }
  }
  for (const key of Object.keys(new EnvironmentVariables())) {
    if (raw[key] !== undefined && raw[key] !== '') {
      withAliases[key] = raw[key];
    }
  }
  const env = plainToInstance(EnvironmentVariables, withAliases);
  const errors = validateSync(env, { skipMissingProperties: false });
  const problems = errors.flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );
  if (problems.length === 0) {
    problems.push(...credentialProblems(env));
  }
  if (problems.length > 0) {
    throw new ConfigValidationError(problems);
  }
  return env;
}
