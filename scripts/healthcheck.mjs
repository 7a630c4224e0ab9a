#!/usr/bin/env node
// Container probe without curl, npm or a shell: exits 0 when the app answers
// 2xx within 3 s, else 1. No dependencies.
//
//   node scripts/healthcheck.mjs <url>   probes that url
//   node scripts/healthcheck.mjs         probes HEALTHCHECK_URL when set, else
//     /health/ready of whichever celeriac app listens in this container, on
//     the port that app reads (API_PORT, WORKER_HEALTH_PORT, BEAT_HEALTH_PORT,
//     MONITOR_PORT, same defaults): so the image's one HEALTHCHECK fits the
//     api, the worker, beat and the monitor alike. Healthy when one of them
//     answers 2xx and none answers anything else; a port nobody listens on
//     (connection refused) is another app's and does not count.
const TIMEOUT_MS = 3000;
const APP_PORTS = [
  ['API_PORT', 8000],
  ['WORKER_HEALTH_PORT', 8002],
  ['BEAT_HEALTH_PORT', 8003],
  ['MONITOR_PORT', 5555],
];
const READY_PATH = '/health/ready';

/** 'ok' (2xx), 'connection refused' (nothing listens) or why it failed. */
async function probe(url) {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return response.ok ? 'ok' : `HTTP ${response.status}`;
  } catch (error) {
    if (error?.cause?.code === 'ECONNREFUSED') {
      return 'connection refused';
    }
    return (
      error?.cause?.code ??
      (error instanceof Error ? error.message : String(error))
    );
  }
}

const explicit = process.argv[2] ?? process.env.HEALTHCHECK_URL;
const urls = explicit
  ? [explicit]
  : [
      ...new Set(
        APP_PORTS.map(
          ([variable, port]) =>
            `http://127.0.0.1:${process.env[variable] || port}${READY_PATH}`,
        ),
      ),
    ];
const outcomes = await Promise.all(urls.map(probe));
const failures = urls
  .map((url, index) => [url, outcomes[index]])
  .filter(
    ([, outcome]) =>
      outcome !== 'ok' && (explicit || outcome !== 'connection refused'),
  );
const healthy = outcomes.includes('ok') && failures.length === 0;
if (!healthy) {
  const reasons =
    failures.length > 0 ? failures : [[urls.join(' '), 'nothing listens']];
  for (const [url, reason] of reasons) {
    console.error(`healthcheck ${url}: ${reason}`);
  }
}
process.exit(healthy ? 0 : 1);
