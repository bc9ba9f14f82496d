/** The operations settings from the environment (src/config.ts). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('operations settings', () => {
  it('have defaults: 10 s drain, half the budget during a Redis outage (2 instances), no traces', () => {
    const config = loadConfig({});
    expect(config.shutdownTimeoutMs).toBe(10_000);
    expect(config.redis).toEqual({ keyPrefix: 'slotgraph:', commandTimeoutMs: 1000, outageBudgetShare: 0.5 });
    expect(config.tracing).toEqual({ endpoint: undefined, serviceName: 'slotgraph' });
  });

  it('derive the outage share from EXPECTED_INSTANCES unless REDIS_OUTAGE_BUDGET_SHARE says otherwise', () => {
    expect(loadConfig({ EXPECTED_INSTANCES: '4' }).redis.outageBudgetShare).toBe(0.25);
    expect(loadConfig({ EXPECTED_INSTANCES: '4', REDIS_OUTAGE_BUDGET_SHARE: '0.4' }).redis.outageBudgetShare).toBe(0.4);
    const config = loadConfig({ SHUTDOWN_TIMEOUT_MS: '2500', REDIS_KEY_PREFIX: 'salon:', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'gw' });
    expect(config).toMatchObject({ shutdownTimeoutMs: 2500, redis: { keyPrefix: 'salon:' }, tracing: { endpoint: 'http://collector:4318', serviceName: 'gw' } });
  });

  it('refuse bad values, naming the variable', () => {
    for (const [name, value] of [
      ['REDIS_OUTAGE_BUDGET_SHARE', '1.5'],
      ['EXPECTED_INSTANCES', '0'],
      ['SHUTDOWN_TIMEOUT_MS', 'soon'],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector'],
    ]) {
      expect(() => loadConfig({ [name!]: value }), name).toThrow(ConfigError);
      expect(() => loadConfig({ [name!]: value }), name).toThrow(name);
    }
  });
});
