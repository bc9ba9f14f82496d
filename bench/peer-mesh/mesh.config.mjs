// GraphQL Mesh composition of the benchmark's peer: Cal.com v2 from its OpenAPI document, cut down to
// GET /v2/slots, GET /v2/event-types/{eventTypeId} and POST /v2/bookings (trim-openapi.ts). JavaScript,
// not TypeScript, so the project's type check does not need the peer's packages.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Calcom', {
        source: './calcom-slots.openapi.json',
        // The document's paths start with /v2: the endpoint is the origin alone (with /v2 the
        // calls go to /v2/v2/slots). `{env.X}` is resolved by the gateway at run time, so neither
        // the origin nor the key ends up in supergraph.graphql.
        endpoint: '{env.CALCOM_ORIGIN}',
        operationHeaders: { Authorization: 'Bearer {env.CALCOM_API_KEY}' },
        // cal-api-version needs nothing here: the document declares it as a required header
        // parameter with a default, so each root field gets `cal_api_version: String! = "…"`.
      }),
    },
  ],
});
