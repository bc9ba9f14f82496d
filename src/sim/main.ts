/**
 * `npm run sim`: the Cal.com simulator alone, API at http://HOST:SIM_PORT/v2 (default
 * http://127.0.0.1:5555/v2), admin API under /_sim. Stops on SIGINT/SIGTERM.
 */
import { ConfigError, loadSimulatorConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { DEMO } from './demo.js';
import { startCalcomSimulator } from './server.js';

try {
  const config = loadSimulatorConfig();
  const log = createLogger(config.logLevel, 'calcom-sim');
  const sim = await startCalcomSimulator({ host: config.host, port: config.port });
  log.info({ apiUrl: sim.apiUrl, demoEventTypes: DEMO }, `Cal.com simulator listening: API at ${sim.apiUrl}, admin at ${sim.url}/_sim`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
