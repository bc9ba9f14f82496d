/**
 * Operation limits, checked before any resolver or upstream call and in milliseconds, so no
 * operation can block the event loop or spend the tenant's Cal.com quota for everyone else:
 *
 * - size and shape, with graphql-armor's plugins: tokens (counted while parsing, so a 20,000-alias
 *   document stops early), depth, aliases, directives;
 * - upstream cost: the Cal.com calls an operation may need, estimated from its root fields (each
 *   distinct event type × the days asked for, a call per 14 days; a call per mutation step), refused
 *   above an absolute limit and above a share of the tenant's quota burst.
 *
 * Each refusal is an `OPERATION_LIMIT` error naming the limit in `extensions.limit`.
 */
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, Kind, getOperationAST, type ArgumentNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { countLocalDays } from '../time.js';
import { ErrorCode } from '../errors.js';

export interface OperationLimits {
  /** Lexical tokens in a document. @default 4000 */
  maxTokens: number;
  /** Nesting depth (introspection excepted). @default 10 */
  maxDepth: number;
  /** Aliases per operation. @default 30 */
  maxAliases: number;
  /** Directives per operation. @default 20 */
  maxDirectives: number;
  /** Estimated Cal.com calls one operation may need. @default 12 */
  maxUpstreamCalls: number;
  /** Share (0..1) of the tenant's quota burst one operation may need. @default 0.5 */
  maxQuotaShare: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxTokens: 4000,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxUpstreamCalls: 12,
  maxQuotaShare: 0.5,
};

/** Tags an armor rejection with our code and the limit's name. */
const tag = (limit: string) => ({
  onReject: [
    (_ctx: unknown, error: GraphQLError) => {
      Object.assign(error.extensions, { code: ErrorCode.OPERATION_LIMIT, limit, http: { status: 400 } });
    },
  ],
  propagateOnRejection: true,
});

/** graphql-armor's size and shape limits. */
/** (Plugins of differing context types, as yoga takes them.) */
export function armorPlugins(limits: OperationLimits): Array<Plugin<any>> {
  return [
    maxTokensPlugin({ n: limits.maxTokens, ...tag('tokens') }),
    maxDepthPlugin({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, ...tag('depth') }),
    maxAliasesPlugin({ n: limits.maxAliases, ...tag('aliases') }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...tag('directives') }),
  ] as Array<Plugin<any>>;
}

/** One GET /v2/slots call covers at most this many days (SLOT_MAX_SPAN_DAYS). */
const DAYS_PER_CALL = 14;
/** Calls a booking mutation may need: the event type, the day's slots, the write, a look-up or alternatives. */
const MUTATION_CALLS = 3;

type Values = Record<string, unknown>;

function valueOf(node: ValueNode | undefined, variables: Values): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.STRING:
      return node.value;
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, valueOf(f.value, variables)]));
    default:
      return undefined;
  }
}

const arg = (field: FieldNode, name: string, variables: Values) => valueOf(field.arguments?.find((a: ArgumentNode) => a.name.value === name)?.value, variables);

function fieldsOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of selectionSet.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(s.selectionSet, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const f = fragments.get(s.name.value);
      if (f) out.push(...fieldsOf(f.selectionSet, fragments, seen));
    }
  }
  return out;
}

const daysBetween = (start: unknown, end: unknown) => {
  if (typeof start !== 'string' || typeof end !== 'string') return DAYS_PER_CALL;
  return countLocalDays(start, end) || DAYS_PER_CALL; // a reversed or bad range is refused by the field
};

/**
 * The Cal.com calls an operation may need, at most: per distinct (event type, duration) the days
 * its root fields ask for (one call per 14, plus a day for the zone's edges), one per distinct
 * event type looked up, three per mutation. Cached data makes the real cost lower, never higher.
 */
export function estimateUpstreamCalls(document: DocumentNode, operationName: string | null | undefined, variables: Values = {}): number {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return 0;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const windows = new Map<string, number>();
  const eventTypes = new Set<unknown>();
  let calls = 0;
  for (const field of fieldsOf(operation.selectionSet, fragments)) {
    const name = field.name.value;
    if (operation.operation === 'mutation') {
      if (!name.startsWith('__')) calls += MUTATION_CALLS;
      continue;
    }
    if (name === 'availability' || name === 'availabilityLive') {
      const key = `${String(arg(field, 'eventTypeId', variables))}|${String(arg(field, 'duration', variables) ?? '')}`;
      windows.set(key, (windows.get(key) ?? 0) + daysBetween(arg(field, 'start', variables), arg(field, 'end', variables)) + 1);
    } else if (name === 'alternatives') {
      const searchDays = Math.min(28, Math.max(1, Number(arg(field, 'searchDays', variables) ?? 7) || 7)); // out-of-range values are refused by the field itself
      const key = `${String(arg(field, 'eventTypeId', variables))}|${String(arg(field, 'duration', variables) ?? '')}`;
      windows.set(key, (windows.get(key) ?? 0) + Math.max(searchDays, 7) + 2);
    } else if (name === 'eventType') {
      eventTypes.add(arg(field, 'id', variables));
    } else if (name === 'booking') {
      calls += 1;
    }
  }
  for (const days of windows.values()) calls += Math.ceil(days / DAYS_PER_CALL);
  return calls + eventTypes.size;
}

/**
 * Refuses, before execution, an operation whose estimated upstream calls exceed
 * `limits.maxUpstreamCalls` or `limits.maxQuotaShare` of the tenant's burst (`burstOf(context)`).
 */
export function useUpstreamCostLimit<TContext extends object>(limits: OperationLimits, burstOf: (context: TContext) => number): Plugin<TContext> {
  const refuse = (calls: number, limit: 'upstreamCost' | 'quotaShare', allowed: number) =>
    new GraphQLError(
      limit === 'upstreamCost'
        ? `This operation may need ${calls} Cal.com calls; at most ${allowed} are allowed per operation (split it).`
        : `This operation may need ${calls} Cal.com calls, more than ${Math.round(limits.maxQuotaShare * 100)} % of the quota burst (${allowed} calls); split it.`,
      { extensions: { code: ErrorCode.OPERATION_LIMIT, limit, estimatedCalls: calls, allowed, http: { status: 400 } } },
    );
  const check = (document: DocumentNode, operationName: string | null | undefined, variables: Values | null | undefined, context: TContext) => {
    const calls = estimateUpstreamCalls(document, operationName, variables ?? {});
    if (calls > limits.maxUpstreamCalls) return refuse(calls, 'upstreamCost', limits.maxUpstreamCalls);
    const share = Math.max(1, Math.floor(limits.maxQuotaShare * burstOf(context)));
    if (calls > share) return refuse(calls, 'quotaShare', share);
    return null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, args.variableValues as Values, args.contextValue as TContext);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.operationName, args.variableValues as Values, args.contextValue as TContext);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
