/**
 * Provides a real Redis to every test file as `inject('redisUrl')`: REDIS_URL when set, otherwise a
 * `redis-server` started here on a free loopback port (no persistence) and stopped afterwards.
 */
import { startRedis, stopRedis } from '../scripts/redis-server.js';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return;
  }
  const { url, child } = await startRedis();
  project.provide('redisUrl', url);
  return () => stopRedis(child);
}
