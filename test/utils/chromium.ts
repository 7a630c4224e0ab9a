import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, installed by the e2e setup; Playwright downloads nothing. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Debian Chromium for the browser tests. No network on the test
 * machines: the flags keep Chromium from calling home.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
