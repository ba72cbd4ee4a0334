// The one way the browser tests start Chromium: Debian's binary (CHROMIUM_BIN to
// override) through playwright-core, headless with the flags this machine needs.
// Playwright gives every launch a fresh temporary profile.

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}
