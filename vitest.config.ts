import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships both .mjs and .js; external CJS packages load the .js one, so make vite-transformed
  // code load it too, or instanceof checks fail across the two copies ("Duplicate graphql modules").
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Each file starts its own simulator and gateway on free loopback ports; keep the machine calm.
    maxWorkers: 2,
  },
});
