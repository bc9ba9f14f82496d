/**
 * Regenerates calcom-slots.openapi.json: Cal.com's v2 OpenAPI document cut down to the two
 * operations the mesh benchmark's peer serves (GET /v2/slots, GET /v2/event-types/{eventTypeId})
 * and every component schema they reference, transitively. Nothing else changes.
 *
 * The full document is published with Cal.com's API reference (https://cal.com/docs/api-reference/v2)
 * and kept in Cal.com's repository as docs/api-reference/v2/openapi.json (github.com/calcom/cal.com).
 *
 *   npx tsx bench/peer-mesh/trim-openapi.ts path/to/openapi.json bench/peer-mesh/calcom-slots.openapi.json
 *
 * (Composing the full document works too, about 6 s and 230 root fields; the trim only keeps the
 * peer's supergraph small.)
 */
import { readFileSync, writeFileSync } from 'node:fs';

const KEEP: Record<string, string[]> = { '/v2/slots': ['get'], '/v2/event-types/{eventTypeId}': ['get'] };
const REF_PREFIX = '#/components/schemas/';

function trimOpenApi(doc: any): any {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(KEEP)) {
    const item = doc.paths?.[path];
    if (!item) throw new Error(`the document has no path ${path}`);
    paths[path] = Object.fromEntries(methods.map((m) => [m, item[m]]));
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
