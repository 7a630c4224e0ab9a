// Jest globalSetup of the e2e suites: the real services, and a fresh build of
// the worker, which some suites run as a real process (signals, kill -9).
import { execFileSync } from 'node:child_process';
import ensureServices from './ensure-services.mjs';

export default async function e2eSetup() {
  await ensureServices();
  execFileSync('npx', ['nest', 'build', 'worker'], { stdio: 'inherit' });
}
