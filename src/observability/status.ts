/**
 * The status page: `GET /status` is one plain HTML page (no build step, nothing loaded from
 * elsewhere) that reads `GET /status.json` every few seconds and shows, per tenant, the quota gauge,
 * the queue depth per class, the slot cache's hit rate, the breakers, and the recent upstream
 * errors (without messages: src/observability/recent-errors.ts).
 */
import type { QuotaStatus } from '../quota/scheduler.js';
import type { SlotCacheStats } from '../loaders/slot-cache/index.js';
import type { Readiness } from './health.js';
import type { RecentUpstreamError } from './recent-errors.js';

export interface StatusSnapshot {
  at: string;
  ready: boolean;
  reasons: string[];
  draining: boolean;
  store: Readiness['store'];
  tenants: Array<{
    id: string;
    quota: { tokens: number; capacity: number; budget: number; windowMs: number; pausedUntil: number | null } | null;
    queues: Array<{ priority: string; depth: number; waitP50Ms: number; waitP95Ms: number; admitted: number; deadlineExpired: number }>;
    cache: { hits: number; staleHits: number; misses: number; coalescedWaits: number; upstreamCalls: number; hitRate: number | null };
    breakers: Array<{ group: string; state: string; opens: number }>;
    subscriptions: number;
    upstream429s: number;
  }>;
  recentErrors: RecentUpstreamError[];
}

export async function statusSnapshot(input: {
  readiness: Readiness;
  tenants: Array<{ id: string; quota(): Promise<QuotaStatus>; cache(): SlotCacheStats; subscriptions(): number }>;
  recentErrors: RecentUpstreamError[];
}): Promise<StatusSnapshot> {
  const tenants = await Promise.all(
    input.tenants.map(async (t) => {
      const q = await t.quota().catch(() => null);
      const c = t.cache();
      const served = c.bucketHits + c.bucketStaleHits;
      const lookups = served + c.bucketMisses;
      return {
        id: t.id,
        quota: q
          ? { tokens: Math.round(q.tokens * 100) / 100, capacity: q.shape.capacity, budget: q.shape.budget, windowMs: q.limits.windowMs, pausedUntil: q.pausedUntil || null }
          : null,
        queues: (q?.queues ?? []).map((x) => ({ priority: x.priority, depth: x.depth, waitP50Ms: x.waitP50Ms, waitP95Ms: x.waitP95Ms, admitted: x.admitted, deadlineExpired: x.deadlineExpired })),
        cache: {
          hits: c.bucketHits,
          staleHits: c.bucketStaleHits,
          misses: c.bucketMisses,
          coalescedWaits: c.coalescedWaits,
          upstreamCalls: c.upstreamCalls,
          hitRate: lookups === 0 ? null : Math.round((served / lookups) * 1000) / 1000,
        },
        breakers: (q?.breakers ?? []).map((b) => ({ group: b.group, state: b.state, opens: b.opens })),
        subscriptions: t.subscriptions(),
        upstream429s: q?.upstream429s ?? 0,
      };
    }),
  );
  const { ready, reasons, draining, store } = input.readiness;
  return { at: new Date().toISOString(), ready, reasons, draining, store, tenants, recentErrors: input.recentErrors };
}

/** The page. Every figure is filled in by its script from status.json (textContent only). */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>slotgraph status</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2430; background: #f5f6f8; }
  body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
  h3 { font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; color: #5b6575; margin: 0 0 .4rem; }
  .meta { color: #5b6575; font-size: .85rem; margin-bottom: 1rem; }
  .badge { display: inline-block; padding: .1rem .5rem; border-radius: .75rem; font-size: .8rem; font-weight: 600; }
  .ok { background: #d8f3dc; color: #1b5e20; } .warn { background: #fff3c4; color: #7a5b00; } .bad { background: #ffd6d6; color: #8b1a1a; }
  .tenant { background: #fff; border-radius: .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 1rem 1.25rem; margin-bottom: 1rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 1rem; }
  .big { font-size: 1.6rem; font-weight: 650; }
  meter { width: 100%; height: 1rem; }
  table { border-collapse: collapse; width: 100%; font-size: .85rem; }
  th, td { text-align: left; padding: .2rem .4rem; border-bottom: 1px solid #e6e8ec; }
  #errors-empty { color: #5b6575; font-size: .85rem; }
</style>
</head>
<body>
<h1>slotgraph status <span id="ready" class="badge">…</span></h1>
<div class="meta">updated <span id="updated">never</span> · store <span id="store">…</span> · refreshes every <span id="interval">2</span> s</div>
<div id="reasons" class="meta"></div>
<div id="tenants"></div>
<div class="tenant">
  <h2>Recent upstream errors</h2>
  <div id="errors-empty">none</div>
  <table id="errors" hidden><thead><tr><th>at</th><th>tenant</th><th>group</th><th>method</th><th>status</th><th>code</th><th>ms</th></tr></thead><tbody></tbody></table>
</div>
<template id="tenant-template">
  <section class="tenant">
    <h2>tenant <span data-field="id"></span></h2>
    <div class="grid">
      <div>
        <h3>Quota</h3>
        <div class="big"><span data-field="quota-tokens">–</span> / <span data-field="quota-capacity">–</span></div>
        <meter data-field="quota-meter" min="0" max="1" value="0"></meter>
        <div class="meta">budget <span data-field="quota-budget">–</span> per <span data-field="quota-window">–</span> s <span data-field="quota-paused"></span></div>
      </div>
      <div>
        <h3>Slot cache</h3>
        <div class="big"><span data-field="hit-rate">–</span></div>
        <div class="meta">hit rate (fresh + stale): <span data-field="hits">0</span> hits, <span data-field="stale">0</span> stale, <span data-field="misses">0</span> misses, <span data-field="coalesced">0</span> coalesced</div>
      </div>
      <div>
        <h3>Queues</h3>
        <table><thead><tr><th>class</th><th>depth</th><th>wait p95</th></tr></thead><tbody data-field="queues"></tbody></table>
      </div>
      <div>
        <h3>Breakers</h3>
        <table><tbody data-field="breakers"></tbody></table>
        <div class="meta"><span data-field="subscriptions">0</span> live subscriptions · <span data-field="429s">0</span> × 429</div>
      </div>
    </div>
  </section>
</template>
<script>
(function () {
  var INTERVAL_MS = 2000;
  function text(el, value) { if (el) el.textContent = String(value); }
  function field(root, name) { return root.querySelector('[data-field="' + name + '"]'); }
  function row(cells, cls) {
    var tr = document.createElement('tr');
    cells.forEach(function (c, i) { var td = document.createElement('td'); td.textContent = String(c); if (cls && cls[i]) td.className = cls[i]; tr.appendChild(td); });
    return tr;
  }
  function badge(el, ok, label) { el.className = 'badge ' + (ok ? 'ok' : 'bad'); el.textContent = label; }
  function tenantSection(t) {
    var root = document.querySelector('[data-tenant="' + CSS.escape(t.id) + '"]');
    if (!root) {
      root = document.getElementById('tenant-template').content.firstElementChild.cloneNode(true);
      root.setAttribute('data-tenant', t.id);
      document.getElementById('tenants').appendChild(root);
    }
    return root;
  }
  function render(s) {
    badge(document.getElementById('ready'), s.ready, s.ready ? 'ready' : (s.draining ? 'draining' : 'not ready'));
    text(document.getElementById('updated'), new Date(s.at).toLocaleTimeString());
    var store = s.store.kind + (s.store.degraded ? ' (degraded: in-process fallback)' : s.store.ok ? ' ok' : ' unreachable');
    text(document.getElementById('store'), store);
    text(document.getElementById('reasons'), s.reasons.join(' · '));
    s.tenants.forEach(function (t) {
      var root = tenantSection(t);
      text(field(root, 'id'), t.id);
      if (t.quota) {
        text(field(root, 'quota-tokens'), t.quota.tokens.toFixed(1));
        text(field(root, 'quota-capacity'), t.quota.capacity);
        field(root, 'quota-meter').value = t.quota.capacity ? t.quota.tokens / t.quota.capacity : 0;
        text(field(root, 'quota-budget'), t.quota.budget);
        text(field(root, 'quota-window'), t.quota.windowMs / 1000);
        text(field(root, 'quota-paused'), t.quota.pausedUntil ? '· paused until ' + new Date(t.quota.pausedUntil).toLocaleTimeString() : '');
      }
      text(field(root, 'hit-rate'), t.cache.hitRate === null ? '–' : (t.cache.hitRate * 100).toFixed(1) + ' %');
      text(field(root, 'hits'), t.cache.hits);
      text(field(root, 'stale'), t.cache.staleHits);
      text(field(root, 'misses'), t.cache.misses);
      text(field(root, 'coalesced'), t.cache.coalescedWaits);
      var queues = field(root, 'queues'); queues.replaceChildren();
      t.queues.forEach(function (q) { queues.appendChild(row([q.priority, q.depth, q.waitP95Ms + ' ms'])); });
      var breakers = field(root, 'breakers'); breakers.replaceChildren();
      t.breakers.forEach(function (b) {
        var tr = row([b.group, b.state, b.opens + ' opens']);
        tr.children[1].className = 'badge ' + (b.state === 'CLOSED' ? 'ok' : b.state === 'OPEN' ? 'bad' : 'warn');
        breakers.appendChild(tr);
      });
      text(field(root, 'subscriptions'), t.subscriptions);
      text(field(root, '429s'), t.upstream429s);
    });
    var table = document.getElementById('errors');
    var body = table.querySelector('tbody'); body.replaceChildren();
    s.recentErrors.forEach(function (e) { body.appendChild(row([new Date(e.at).toLocaleTimeString(), e.tenant, e.group, e.method, e.status || 'no answer', e.code, e.ms])); });
    table.hidden = s.recentErrors.length === 0;
    document.getElementById('errors-empty').hidden = s.recentErrors.length > 0;
    document.body.setAttribute('data-loaded', s.at);
  }
  function refresh() {
    fetch('status.json', { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () { badge(document.getElementById('ready'), false, 'unreachable'); })
      .finally(function () { setTimeout(refresh, INTERVAL_MS); });
  }
  text(document.getElementById('interval'), INTERVAL_MS / 1000);
  refresh();
})();
</script>
</body>
</html>
`;
