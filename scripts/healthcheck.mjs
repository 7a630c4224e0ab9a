#!/usr/bin/env node
// Container probe without curl: `node scripts/healthcheck.mjs <url>` exits 0
// when the url answers 2xx within 3 s, else 1. No dependencies.
const TIMEOUT_MS = 3000;

const url = process.argv[2];
if (!url) {
  console.error('usage: node scripts/healthcheck.mjs <url>');
  process.exit(1);
}

try {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(
    `healthcheck ${url}: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
