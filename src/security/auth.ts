/**
 * Client authentication and scopes (src/security/tenants.ts says who the clients are).
 *
 * - Every operation carries `Authorization: Bearer <token>` (graphql-ws: `{"authorization": "Bearer …"}`
 *   in `connection_init`). A missing token is anonymous when anonymous access is allowed (the
 *   embedded simulator's demo, or `SLOTGRAPH_ALLOW_ANONYMOUS=true`), otherwise `UNAUTHENTICATED`
 *   (HTTP 401); an unknown or malformed token is always `UNAUTHENTICATED`.
 * - Each root field needs a scope; a missing one is `FORBIDDEN` (HTTP 403) before anything runs.
 * - The token picks the tenant: its services, and nothing of any other tenant's.
 */
import { GraphQLError, Kind, getOperationAST, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { hashToken, type Scope, type TenantConfig } from './tenants.js';

/** Who is asking. */
export interface AuthResult {
  tenantId: string;
  /** The client's name; null for an anonymous caller. */
  client: string | null;
  scopes: ReadonlySet<Scope>;
}

export type Authentication = { ok: true; auth: AuthResult } | { ok: false; reason: string };

export interface AuthOptions {
  tenants: readonly TenantConfig[];
  /** Calls without a token are allowed (as `anonymousScopes` of the first tenant). */
  allowAnonymous: boolean;
  /** @default availability:read and bookings:write */
  anonymousScopes?: readonly Scope[];
}

export interface Authenticator {
  /** Reads an `Authorization` header value (or graphql-ws's `authorization` parameter). */
  authenticate(authorization: string | null | undefined): Authentication;
}

export const DEFAULT_ANONYMOUS_SCOPES: readonly Scope[] = ['availability:read', 'bookings:write'];

export function createAuthenticator(options: AuthOptions): Authenticator {
  const byHash = new Map<string, AuthResult>();
  for (const tenant of options.tenants) {
    for (const client of tenant.clients) byHash.set(client.tokenSha256, { tenantId: tenant.id, client: client.name, scopes: new Set(client.scopes) });
  }
  const anonymous: AuthResult = { tenantId: options.tenants[0]!.id, client: null, scopes: new Set(options.anonymousScopes ?? DEFAULT_ANONYMOUS_SCOPES) };
  return {
    authenticate(authorization) {
      if (!authorization) {
        return options.allowAnonymous ? { ok: true, auth: anonymous } : { ok: false, reason: 'an Authorization: Bearer <token> header is required' };
      }
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return { ok: false, reason: 'the Authorization header must be "Bearer <token>"' };
      // Looked up by SHA-256: whatever a lookup's timing tells is about the hash, not the token.
      const found = byHash.get(hashToken(match[1]!));
      return found ? { ok: true, auth: found } : { ok: false, reason: 'unknown token' };
    },
  };
}

/** The scope each root field needs; fields not listed (introspection, `__typename`) need none. */
const QUERY_SCOPES: Record<string, Scope> = {
  availability: 'availability:read',
  alternatives: 'availability:read',
  eventType: 'availability:read',
  booking: 'bookings:write',
  quota: 'admin',
};
const SUBSCRIPTION_SCOPES: Record<string, Scope> = { slotsChanged: 'availability:read', availabilityLive: 'availability:read' };

/** The root field names an operation selects (through fragments too). */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(selection.selectionSet, fragments, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) names.push(...rootFields(fragment.selectionSet, fragments, seen));
    }
  }
  return names;
}

/**
 * The FORBIDDEN error for the first root field of the operation `auth` may not use, or null.
 * `admin` may use everything.
 */
export function checkScopes(auth: AuthResult, document: DocumentNode, operationName: string | null | undefined): GraphQLError | null {
  if (auth.scopes.has('admin')) return null;
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return null; // graphql-js reports that
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  for (const field of rootFields(operation.selectionSet, fragments)) {
    const needed: Scope | undefined =
      operation.operation === 'mutation' ? (field.startsWith('__') ? undefined : 'bookings:write') : operation.operation === 'subscription' ? SUBSCRIPTION_SCOPES[field] : QUERY_SCOPES[field];
    if (needed && !auth.scopes.has(needed)) {
      return new GraphQLError(`${field} needs the scope ${needed}, which this ${auth.client ? `client (${auth.client})` : 'anonymous caller'} does not have.`, {
        extensions: { code: ErrorCode.FORBIDDEN, scope: needed, field, http: { status: 403 } },
      });
    }
  }
  return null;
}

/** The UNAUTHENTICATED error of a refused authentication. */
export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Not authenticated: ${reason}.`, {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}
