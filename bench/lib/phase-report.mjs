// The JSON of a phase run alone (bench/canvas.mjs, bench/limits.mjs), beside
// `npm run bench`'s in bench/results/ (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';

/** Writes `{date, machine, ...phases}`; returns the file's path. */
export function writeReport(name, phases) {
  const date = new Date().toISOString();
  const dir = resolve(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `${name}-${date.replace(/[:.]/g, '-')}.json`);
  const machine = {
    cpus: cpus().length,
    node: process.version,
    loadAverageAtEnd: loadavg(),
  };
  writeFileSync(
    file,
    `${JSON.stringify({ date, machine, ...phases }, null, 2)}\n`,
  );
  return file;
}
