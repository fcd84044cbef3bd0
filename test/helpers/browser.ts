// Debian's chromium driven by playwright-core: no browser download, flags that keep a headless
// root run quiet on a machine without network.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Only a developer machine without chromium may skip; in CI a missing browser must fail the run. */
export function skipWithoutChromium(suite: string): boolean {
  const skip = !existsSync(CHROMIUM) && !process.env.CI;
  if (skip) console.warn(`[${suite}] skipped: ${CHROMIUM} not found (apt-get install chromium); set CI=1 to make this a failure`);
  return skip;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A phone-sized page at `url` that records alert dialogs (an escaped page never opens one) and
 * script or console errors, and waits for the page's own `data-ready` mark.
 */
export async function openPhonePage(
  browser: Browser,
  url: string,
  seen: { dialogs: string[]; problems: string[] },
  viewport = { width: 375, height: 667 },
): Promise<Page> {
  const page = await browser.newPage({ viewport, isMobile: true, hasTouch: true });
  page.on('dialog', (dialog) => {
    seen.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}
