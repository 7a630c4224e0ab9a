// The npm registry reachable here serves only some platform builds of native
// bindings (jest's unrs-resolver, bullmq's msgpackr-extract), so `npm install` leaves the other platforms out of
// package-lock.json and `npm ci` then refuses the lock. This adds them as
// optional entries with their os/cpu, which npm skips on other platforms.
// Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));

const OS = {
  android: 'android',
  darwin: 'darwin',
  freebsd: 'freebsd',
  linux: 'linux',
  openharmony: 'openharmony',
  win32: 'win32',
};
const CPU = {
  arm: 'arm',
  'arm-eabi': 'arm',
  arm64: 'arm64',
  x64: 'x64',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

let added = 0;
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(
    entry.optionalDependencies ?? {},
  )) {
    const match =
      /^@(?:unrs\/resolver-binding|msgpackr-extract\/msgpackr-extract)-([a-z0-9]+)-([a-z0-9]+)/.exec(
        name,
      );
    const key = `node_modules/${name}`;
    if (!match || lock.packages[key]) {
      continue;
    }
    const [, os, cpu] = match;
    lock.packages[key] = {
      version,
      cpu: [CPU[cpu] ?? cpu],
      dev: entry.dev === true ? true : undefined,
      optional: true,
      os: [OS[os] ?? os],
    };
    added += 1;
  }
}
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-bindings: added ${added} entries`);
