#!/usr/bin/env node
// Makes sure Debian's Chromium is present for the end-to-end tests (`npm test` runs this first).
// Playwright's own browser download cannot work here (no internet beyond the package mirrors), so
// the tests drive /usr/bin/chromium. As root it installs the package; otherwise it says how.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
if (candidates.some((p) => existsSync(p))) process.exit(0);

const root = process.getuid?.() === 0;
if (!root) {
  console.error(
    'The end-to-end tests need Chromium. Install it with `sudo apt-get install -y chromium` ' +
      '(or set CHROMIUM_PATH to a Chromium binary), then run `npm test` again.',
  );
  process.exit(1);
}
console.error('Installing Chromium for the end-to-end tests (apt-get install chromium)…');
try {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
} catch {
  console.error('Installing Chromium failed; install it with `apt-get install -y chromium` and run `npm test` again.');
  process.exit(1);
}
