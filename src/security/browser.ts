/**
 * Browser safety and production defaults:
 *
 * - **CORS**: only origins in `CORS_ORIGINS` get CORS headers (credentials allowed for them); by
 *   default none, so a page on another site cannot read answers.
 * - **CSRF**: yoga's CSRF prevention refuses "simple" requests a browser would send cross-origin
 *   without a preflight (a form POST, a plain GET): a GraphQL request must carry a JSON content type
 *   or the `x-graphql-yoga-csrf` header.
 * - **WebSockets**: a browser upgrade whose `Origin` is not allowed is refused (browsers do not
 *   apply CORS to WebSockets); clients without an `Origin` (servers, voice agents) are not browsers.
 * - **Production** (`NODE_ENV=production`): GraphiQL and introspection off unless enabled
 *   (`GRAPHIQL=true`, `INTROSPECTION=true`), field suggestions blocked.
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { CORSOptions, Plugin } from 'graphql-yoga';

export interface BrowserOptions {
  /** Origins allowed to call from a browser (`https://app.example.com`), or `*` for any. @default none */
  corsOrigins: readonly string[];
  /** Serve GraphiQL at /graphql to browsers. @default true, false under NODE_ENV=production */
  graphiql: boolean;
  /** Answer introspection queries. @default true, false under NODE_ENV=production */
  introspection: boolean;
  /** Suggest field names in validation errors ("Did you mean …?"). @default true, false under NODE_ENV=production */
  fieldSuggestions: boolean;
}

/** The header yoga's CSRF prevention accepts on requests that are otherwise "simple". */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

/** True when a browser at `origin` may call (no `Origin`: not a browser). */
export function originAllowed(origin: string | null | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  return allowed.includes('*') || allowed.includes(origin);
}

/** yoga's `cors` option: headers only for allowed origins. */
export function corsFor(allowed: readonly string[]): false | ((request: Request) => CORSOptions) {
  if (allowed.length === 0) return false;
  return (request) => {
    const origin = request.headers.get('origin');
    // No headers at all for other origins (an empty origin list would make the server reflect any).
    if (!origin || !originAllowed(origin, allowed)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'accept', CSRF_HEADER, 'x-slotgraph-priority'],
    };
  };
}

/** The yoga plugins of these options: CSRF prevention always; the production ones as configured. */
/** (Plugins of differing context types, as yoga takes them.) */
export function browserPlugins(options: BrowserOptions): Array<Plugin<any>> {
  return [
    useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
    ...(options.introspection ? [] : [useDisableIntrospection()]),
    ...(options.fieldSuggestions ? [] : [blockFieldSuggestionsPlugin() as Plugin]),
  ];
}
