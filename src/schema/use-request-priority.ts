/**
 * Sets each GraphQL request's scheduling class from its operation: mutations `critical`, queries
 * (and subscriptions) `interactive`. A client may lower it, never raise it, with the header
 * `x-slotgraph-priority: normal|background` (e.g. a nightly sync), or `interactive` on a mutation.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { PRIORITIES, type Priority } from '../quota/scheduler.js';

export const PRIORITY_HEADER = 'x-slotgraph-priority';

export function useRequestPriority(): Plugin<GatewayContext & { request?: Request }> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue;
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      const base: Priority = operation === 'mutation' ? 'critical' : 'interactive';
      const asked = ctx.request?.headers.get(PRIORITY_HEADER)?.trim().toLowerCase() as Priority | undefined;
      const lowered = asked && PRIORITIES.includes(asked) && PRIORITIES.indexOf(asked) > PRIORITIES.indexOf(base) ? asked : base;
      ctx.call.priority = lowered;
    },
  };
}
