import type { EnvironmentVariables } from './environment-variables';

/** The variables that hold secrets, checked for placeholders left in. */
const SECRET_VARIABLES = [
  'BROKER_URL',
  'RESULT_BACKEND_URL',
  'RESULT_BACKEND_SENTINEL_PASSWORD',
  'API_KEYS',
  'MONITOR_BASIC_AUTH',
  'MONITOR_API_KEYS',
] as const;

// What templates write where a secret goes: REPLACE_ME, change-me, <password>.
const PLACEHOLDER = /replace[-_]?me|change[-_]?me|<[^>]*>/i;

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}

function userOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return '';
  }
}

/**
 * Why the secrets in `env` must not be used, one sentence each, never
 * quoting a value: a placeholder left in any secret always; with
 * CELERIAC_REQUIRE_CREDENTIALS, also a broker URL without a password or
 * with RabbitMQ's guest/guest, and a Redis URL without a password.
 */
export function credentialProblems(env: EnvironmentVariables): string[] {
  const problems: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (typeof value === 'string' && PLACEHOLDER.test(value)) {
      problems.push(
        `${name} still holds a placeholder (REPLACE_ME, change-me, <...>): set the real secret`,
      );
    }
  }
  if (!env.CELERIAC_REQUIRE_CREDENTIALS) {
    return problems;
  }
  // Each broker of a `;` list is checked; a problem is named once.
  const brokers = env.BROKER_URL.split(';').filter((url) => url.trim());
  if (brokers.some((url) => passwordOf(url.trim()) === '')) {
    problems.push(
      'BROKER_URL has no password, and CELERIAC_REQUIRE_CREDENTIALS is true',
    );
  } else if (
    brokers.some(
      (url) =>
        userOf(url.trim()) === 'guest' && passwordOf(url.trim()) === 'guest',
    )
  ) {
    problems.push(
      "BROKER_URL uses RabbitMQ's default guest/guest, and CELERIAC_REQUIRE_CREDENTIALS is true",
    );
  }
  // A sentinel:// list: the first URL's password is the master's, as in Celery.
  if (passwordOf(env.RESULT_BACKEND_URL.split(';')[0]) === '') {
    problems.push(
      'RESULT_BACKEND_URL has no password, and CELERIAC_REQUIRE_CREDENTIALS is true',
    );
  }
  return problems;
}
