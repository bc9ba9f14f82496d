// Hive Gateway variant "Mesh + cache": the closest built-ins to slotgraph's slot cache and its
// coalescing of concurrent upstream calls. (The plain variant runs without a config file.)
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: './supergraph.graphql',
  // Whole-response cache keyed by operation + variables, shared by every caller (no session).
  // 30 s, as slotgraph's fresh TTL for a slot bucket.
  responseCaching: { session: () => null, ttl: 30_000 },
  // Identical GraphQL requests in flight at the same time share one execution.
  inboundInflightRequestDeduplication: true,
});
