/**
 * The answer cache: whole GraphQL answers of slot queries, kept with the evidence they were built
 * from, so a warm request that asks the same thing again costs one look at that evidence and no
 * parsing, validation, execution or serialisation.
 *
 * - **What is kept**: the answer (and its JSON text) of a `query` operation whose root fields are
 *   all in the cacheable set (`availability`, `alternatives`) and which ran without errors, keyed by
 *   the caller's tenant and scopes, the operation name, the document text and the variables.
 * - **The evidence** (an {@link AnswerWitness} per request): each slot read of the request records a
 *   check, "the stored buckets are still exactly the strings this answer was computed from", and
 *   until when they are fresh. A read that was not answered wholly from fresh stored buckets (a
 *   fetch, a stale bucket, a wait for another request) spoils the witness: such an answer is not
 *   kept. Resolvers whose answer depends on the clock add their own limit ({@link AnswerWitness.until}).
 * - **A hit** re-runs the checks against the store (the in-process store, or Redis shared by every
 *   instance), so an invalidation, a refresh or a write by any instance makes the next request
 *   compute afresh; a kept answer is never served past its buckets' fresh TTL, nor past the next
 *   quarter hour (when a local day may begin in some zone: `past` flags, today's horizon).
 * - **Bounded**: at most `maxEntries` answers, the least recently used going first.
 *
 * Why not a generic response cache (graphql-yoga's plugin-response-cache): its validity is a TTL
 * per type plus invalidation by entity id; a slot answer's validity is its buckets' state in the
 * shared store (docs/calcom-contract.md#slot-window for why buckets are UTC days), which only the
 * slot cache can check.
 */
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** A check that the data an answer was built from is unchanged; resolves false otherwise. */
export type WitnessCheck = () => Promise<boolean>;

/** What one request's answer depends on (made per request, filled by its resolvers and loaders). */
export interface AnswerWitness {
  /** False once a read of this request could not vouch for its data (the answer is then not kept). */
  readonly complete: boolean;
  readonly checks: readonly WitnessCheck[];
  /** The answer is valid until this instant (ms since the epoch) at the latest. */
  readonly validUntil: number;
  /** Records that the answer holds while `check` passes, until `untilMs` at the latest (ms since the epoch). */
  depend(check: WitnessCheck, untilMs: number): void;
  /** Limits the answer's validity to `untilMs` (ms since the epoch), e.g. a wished start that will lie in the past. */
  until(untilMs: number): void;
  /** Marks the answer as not to be kept. */
  spoil(): void;
}

export function createAnswerWitness(): AnswerWitness {
  const checks: WitnessCheck[] = [];
  let validUntil = Infinity;
  let complete = true;
  return {
    get complete() {
      return complete;
    },
    checks,
    get validUntil() {
      return validUntil;
    },
    depend(check, untilMs) {
      checks.push(check);
      validUntil = Math.min(validUntil, untilMs);
    },
    until(untilMs) {
      validUntil = Math.min(validUntil, untilMs);
    },
    spoil() {
      complete = false;
    },
  };
}

/** Root fields whose answers may be kept: they read slots through the slot cache only. */
export const CACHEABLE_ROOT_FIELDS: ReadonlySet<string> = new Set(['availability', 'alternatives', '__typename']);

/** Every local midnight of every zone in use falls on a quarter hour of UTC. */
const QUARTER_HOUR_MS = 15 * 60_000;

interface Entry {
  result: ExecutionResult;
  checks: readonly WitnessCheck[];
  validUntil: number;
  tenant: string;
  operationName: string | undefined;
}

export interface AnswerCacheOptions {
  /** Most answers kept (least recently used first out); 0 disables the cache. @default 1000 */
  maxEntries?: number;
  /** Clock, ms since the epoch. @default Date.now */
  now?: () => number;
  /**
   * Who asks, as a cache-key prefix and tenant id, or null when the request must not be served from
   * or kept in the cache. The prefix must include everything besides the operation that decides the
   * answer or its refusal: the tenant and the caller's scopes.
   */
  callerOf(request: Request): { key: string; tenant: string } | null;
  /** The request's witness (the one its loaders fill). */
  witnessOf(context: unknown): AnswerWitness | undefined;
  /** Called for each lookup: `hit` (served), `miss` (nothing kept) or `invalid` (kept, but its data changed). */
  observe?(tenant: string, result: 'hit' | 'miss' | 'invalid', hit?: { operationName: string | undefined; seconds: number }): void;
}

/** The answer's JSON text is computed once; yoga's result processor calls `stringify` when present. */
const withText = (result: ExecutionResult): ExecutionResult => {
  const text = JSON.stringify(result);
  return Object.assign({ ...result }, { stringify: () => text });
};

function cacheableOperation(document: DocumentNode, operationName: string | undefined | null): OperationDefinitionNode | null {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return null;
  for (const selection of operation.selectionSet.selections) {
    // Fragments and directives at the root are rare in slot queries: not kept, rather than analysed.
    if (selection.kind !== Kind.FIELD || (selection.directives?.length ?? 0) > 0 || !CACHEABLE_ROOT_FIELDS.has(selection.name.value)) return null;
  }
  return operation;
}

/**
 * The yoga plugin. It looks up the answer in `onParams` (after authentication and persisted
 * operations, before parsing), and keeps a fresh answer in `onExecuteDone` (after the scope check:
 * place it after every plugin that may refuse an operation).
 */
export function useAnswerCache(options: AnswerCacheOptions): Plugin {
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  /** The cache key of each request that may be kept. */
  const keyOfRequest = new WeakMap<Request, { key: string; tenant: string }>();

  const remember = (key: string, entry: Entry) => {
    entries.delete(key);
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, entry);
  };

  return {
    onParams({ params, request, setResult }) {
      if (maxEntries <= 0 || typeof params.query !== 'string') return;
      const caller = options.callerOf(request);
      if (!caller) return;
      const key = `${caller.key}\u0000${params.operationName ?? ''}\u0000${params.query}\u0000${params.variables ? JSON.stringify(params.variables) : ''}`;
      keyOfRequest.set(request, { key, tenant: caller.tenant });
      const entry = entries.get(key);
      if (!entry) return void options.observe?.(caller.tenant, 'miss');
      const startedAt = performance.now();
      const forget = () => {
        if (entries.get(key) === entry) entries.delete(key);
        options.observe?.(caller.tenant, 'invalid');
      };
      if (now() >= entry.validUntil) return forget();
      return Promise.all(entry.checks.map((check) => check())).then(
        (passed) => {
          if (!passed.every(Boolean)) return forget();
          remember(key, entry); // most recently used
          setResult(entry.result);
          options.observe?.(caller.tenant, 'hit', { operationName: entry.operationName, seconds: (performance.now() - startedAt) / 1000 });
        },
        () => forget(),
      );
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const caller = request ? keyOfRequest.get(request) : undefined;
      if (!caller) return;
      const operation = cacheableOperation(args.document, args.operationName);
      if (!operation) return;
      return {
        onExecuteDone({ result, setResult }) {
          const witness = options.witnessOf(args.contextValue);
          if (!witness?.complete || witness.checks.length === 0) return;
          if (Symbol.asyncIterator in result || (result.errors?.length ?? 0) > 0 || result.extensions) return;
          const t = now();
          const validUntil = Math.min(witness.validUntil, Math.floor(t / QUARTER_HOUR_MS + 1) * QUARTER_HOUR_MS);
          if (t >= validUntil) return;
          const kept = withText(result);
          remember(caller.key, { result: kept, checks: [...witness.checks], validUntil, tenant: caller.tenant, operationName: operation.name?.value });
          setResult(kept);
        },
      };
    },
  };
}
