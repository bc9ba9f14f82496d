/**
 * Regenerates calcom-slots.openapi.json: Cal.com's v2 OpenAPI document cut down to the three
 * operations the comparison benchmark's peer serves (GET /v2/slots, GET /v2/event-types/{eventTypeId},
 * POST /v2/bookings) and every component schema they reference, transitively. One thing changes:
 * the booking body's `oneOf` keeps only the regular booking (see BODY_ONE_OF).
 *
 * The full document is published with Cal.com's API reference (https://cal.com/docs/api-reference/v2)
 * and kept in Cal.com's repository as docs/api-reference/v2/openapi.json (github.com/calcom/cal.com);
 * test/fixtures/calcom-openapi-v2.json is a byte-exact copy:
 *
 *   npx tsx bench/peer-mesh/trim-openapi.ts test/fixtures/calcom-openapi-v2.json bench/peer-mesh/calcom-slots.openapi.json
 *
 * (Composing the full document works too, about 6 s and 230 root fields; the trim only keeps the
 * peer's supergraph small.)
 */
import { readFileSync, writeFileSync } from 'node:fs';

const KEEP: Record<string, string[]> = { '/v2/slots': ['get'], '/v2/event-types/{eventTypeId}': ['get'], '/v2/bookings': ['post'] };
const REF_PREFIX = '#/components/schemas/';
/**
 * Request bodies whose `oneOf` is narrowed to one member. Mesh turns a body's `oneOf` into an input
 * object with one field per member, marked `@oneOf` for the REST transport to unwrap; composition
 * drops that directive, so the gateway sends the wrapper (`{"CreateBookingInput_2024_08_13_Input":
 * {…}}`) and Cal.com refuses it (400). A one-member `oneOf` becomes that member's input type itself.
 */
const BODY_ONE_OF: Record<string, string> = { 'post /v2/bookings': 'CreateBookingInput_2024_08_13' };

/** The operation with its JSON body's `oneOf` cut to the member `keep` (a schema name); as is without `keep`. */
function narrowBody(operation: any, keep: string | undefined): any {
  if (!keep) return operation;
  const schema = operation.requestBody?.content?.['application/json']?.schema;
  const member = schema?.oneOf?.find((s: { $ref?: string }) => s.$ref === `${REF_PREFIX}${keep}`);
  if (!member) throw new Error(`the body of ${operation.operationId} has no oneOf member ${keep}`);
  return { ...operation, requestBody: { ...operation.requestBody, content: { 'application/json': { schema: { ...schema, oneOf: [member] } } } } };
}

function trimOpenApi(doc: any): any {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(KEEP)) {
    const item = doc.paths?.[path];
    if (!item) throw new Error(`the document has no path ${path}`);
    paths[path] = Object.fromEntries(methods.map((m) => [m, narrowBody(item[m], BODY_ONE_OF[`${m} ${path}`])]));
  }
  const schemas: Record<string, unknown> = {};
  const todo: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const ref = (node as { $ref?: unknown }).$ref;
      if (typeof ref === 'string' && ref.startsWith(REF_PREFIX)) todo.push(ref.slice(REF_PREFIX.length));
      Object.values(node).forEach(walk);
    }
  };
  walk(paths);
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (name in schemas) continue;
    const schema = doc.components?.schemas?.[name];
    if (!schema) throw new Error(`the document references a missing schema ${name}`);
    schemas[name] = schema;
    walk(schema);
  }
  return { openapi: doc.openapi, info: doc.info, paths, components: { schemas } };
}

const [src, dst] = process.argv.slice(2);
if (!src || !dst) {
  console.error('usage: tsx bench/peer-mesh/trim-openapi.ts <cal.com openapi.json> <output.json>');
  process.exit(2);
}
const out = trimOpenApi(JSON.parse(readFileSync(src, 'utf8')));
writeFileSync(dst, `${JSON.stringify(out, null, 1)}\n`);
console.log(`${Object.keys(out.paths).length} paths, ${Object.keys(out.components.schemas).length} schemas -> ${dst}`);
