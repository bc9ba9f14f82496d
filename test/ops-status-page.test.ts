/**
 * The status page in a real headless browser (Debian's chromium driven by playwright-core): it
 * shows the quota gauge and the slot cache's hit rate as /status.json has them, the queues, the
 * breakers and the recent upstream errors, and refreshes itself. Skipped, saying so, where no
 * browser is installed (.ci/run installs one).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { onCleanup, SALON_ZONE, salonDay, salonEventType, type Stack, startStack } from './support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser) console.warn(`ops-status-page: skipped — no browser at ${CHROMIUM} (apt-get install chromium; .ci/run does)`);

const ZONE = SALON_ZONE;
const salon = salonEventType;
const day = salonDay;
const ask = (stack: Stack, n: number) =>
  stack.post(`query Day($d: LocalDate!) { availability(eventTypeId: 1, start: $d, end: $d, timeZone: "${ZONE}") { days { slots { start } } } }`, { d: day(n) });

async function launch(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(() => browser.close());
  return browser;
}

describe.skipIf(!hasBrowser)('/status in a headless browser', () => {
  it('shows the quota and hit-rate figures of /status.json, and refreshes itself', { timeout: 60_000 }, async () => {
    const stack = await startStack();
    await stack.admin.reset(true);
    await stack.admin.putEventType(salon);
    // One miss (a block of 7 days fetched), then hits: days 1..3 of the same block.
    for (const n of [1, 1, 2, 3]) expect((await ask(stack, n)).errors).toBeUndefined();
    // A failing Cal.com call for the recent errors list.
    await stack.post('{ eventType(id: 424242) { id } }');

    const browser = await launch();
    const page = await browser.newPage();
    await page.goto(`${stack.gateway.url}/status`);
    await page.waitForSelector('body[data-loaded]');
    const json = (await (await fetch(`${stack.gateway.url}/status.json`)).json()) as any;
    const tenant = page.locator('[data-tenant="default"]');
    const read = async (name: string) => (await tenant.locator(`[data-field="${name}"]`).textContent())?.trim();

    // The quota gauge: tokens (refilling while we look) out of the bucket's capacity.
    const tokens = Number(await read('quota-tokens'));
    expect(Number(await read('quota-capacity'))).toBe(json.tenants[0].quota.capacity);
    expect(Math.abs(tokens - json.tenants[0].quota.tokens)).toBeLessThan(1);
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(json.tenants[0].quota.capacity);
    expect(Number(await tenant.locator('[data-field="quota-meter"]').getAttribute('value'))).toBeCloseTo(tokens / json.tenants[0].quota.capacity, 1);
    expect(await read('quota-budget')).toBe('108');
    // The hit rate: what status.json says, as a percentage.
    const { hits, staleHits, misses, hitRate } = json.tenants[0].cache;
    expect(hits).toBeGreaterThan(0);
    expect(misses).toBeGreaterThan(0);
    expect(hitRate).toBeCloseTo((hits + staleHits) / (hits + staleHits + misses), 3);
    expect(await read('hit-rate')).toBe(`${(hitRate * 100).toFixed(1)} %`);
    // Queues, breakers, recent errors (status and code, no message).
    expect(await tenant.locator('[data-field="queues"] tr').count()).toBe(4);
    expect(await tenant.locator('[data-field="breakers"] tr').count()).toBe(4);
    expect(await page.locator('#errors tbody tr').first().textContent()).toMatch(/eventTypes.*404/);
    expect(await page.locator('#ready').textContent()).toBe('ready');

    // It refreshes itself: more hits show up without a reload.
    const before = await read('hits');
    for (const n of [1, 2, 3, 4]) await ask(stack, n);
    await page.waitForFunction(
      (old) => document.querySelector('[data-tenant="default"] [data-field="hits"]')?.textContent !== old,
      before,
      { timeout: 10_000 },
    );
    expect(Number(await read('hits'))).toBeGreaterThan(Number(before));
  });
});
