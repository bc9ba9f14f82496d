import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadSimulatorConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to loopback:4000, the embedded simulator and the in-process store', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', logLevel: 'info', redisUrl: undefined, calcom: undefined });
    expect(loadSimulatorConfig({}).port).toBe(5555);
  });

  it('uses Cal.com when an API key is set, and ignores an empty REDIS_URL', () => {
    const config = loadConfig({ CALCOM_API_KEY: 'cal_live_abcdef123', REDIS_URL: '', PORT: '4100' });
    expect(config.calcom).toEqual({ apiUrl: 'https://api.cal.com/v2', apiKey: 'cal_live_abcdef123', timeoutMs: 5000 });
    expect(config.redisUrl).toBeUndefined();
    expect(config.port).toBe(4100);
  });

  it('fails fast naming each bad variable, without echoing secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', REDIS_URL: 'http://nope', LOG_LEVEL: 'loud', CALCOM_API_KEY: 'cal_x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'CALCOM_API_KEY']) expect(message).toContain(name);
    expect(message).not.toContain('cal_x');
  });

  it('says when CALCOM_API_URL is ignored for lack of a key', () => {
    expect(loadConfig({ CALCOM_API_URL: 'http://127.0.0.1:5555/v2' }).ignoredApiUrl).toBe('http://127.0.0.1:5555/v2');
  });

  it('reads the slot cache tuning and checks it is consistent', () => {
    expect(loadConfig({ SLOT_FRESH_TTL_MS: '10000', CALCOM_TIMEOUT_MS: '2000' }).slotCache).toEqual({
      freshTtlMs: 10_000,
      maxAgeMs: 300_000,
      minWindowDays: 7,
      maxSpanDays: 14,
      maxGapDays: 3,
      lockTtlMs: 4000,
      lockWaitMs: 3000,
    });
    expect(() => loadConfig({ SLOT_FRESH_TTL_MS: '60000', SLOT_MAX_AGE_MS: '30000' })).toThrow(/SLOT_MAX_AGE_MS/);
    expect(() => loadConfig({ SLOT_MIN_WINDOW_DAYS: '20' })).toThrow(/SLOT_MIN_WINDOW_DAYS/);
  });
});
