/**
 * The one Pothos builder. Domain files under src/schema/ register their types on it;
 * src/schema/index.ts imports them all and builds the schema.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver, LocalDateResolver, TimeZoneResolver } from 'graphql-scalars';
import type { GatewayContext } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** A UTC instant; serialized as RFC 3339 with `Z`, accepted with any offset. */
    DateTime: { Input: Date; Output: Date };
    /** A calendar day `YYYY-MM-DD` with no zone attached. */
    LocalDate: { Input: string; Output: string };
    /** An IANA time zone name, e.g. `Europe/Berlin`. */
    TimeZone: { Input: string; Output: string };
    /** Any JSON value (booking metadata). */
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ErrorsPlugin],
  // Only the error classes a field lists become data; anything else stays a GraphQL error.
  errors: { defaultTypes: [] },
});

/**
 * The same scalar, but a literal it rejects is reported at the literal's position, so the error can
 * name the argument it was passed to (graphql-scalars' TimeZone drops the AST node).
 */
function locatingLiteralErrors<I, O>(scalar: GraphQLScalarType<I, O>): GraphQLScalarType<I, O> {
  const config = scalar.toConfig();
  return new GraphQLScalarType<I, O>({
    ...config,
    parseLiteral(ast, variables) {
      try {
        return scalar.parseLiteral(ast, variables);
      } catch (err) {
        throw new GraphQLError((err as Error).message, { nodes: ast });
      }
    },
  });
}

/**
 * The same scalar, remembering what it answered for each string (bounded): graphql-scalars' TimeZone
 * builds an `Intl.DateTimeFormat` on every parse and serialize, and every slot serializes a
 * LocalDate; the answers for a string never change.
 */
function memoizingStrings<I, O>(scalar: GraphQLScalarType<I, O>, size = 4096): GraphQLScalarType<I, O> {
  const config = scalar.toConfig();
  const memo = <T>(fn: (value: unknown) => T) => {
    const cache = new Map<string, T>();
    return (value: unknown): T => {
      if (typeof value !== 'string') return fn(value);
      const hit = cache.get(value);
      if (hit !== undefined) return hit;
      const result = fn(value); // throws for a bad value: nothing cached
      if (cache.size >= size) cache.clear();
      cache.set(value, result);
      return result;
    };
  };
  const literals = new Map<string, I>();
  return new GraphQLScalarType<I, O>({
    ...config,
    serialize: memo(config.serialize as (value: unknown) => O),
    parseValue: memo(config.parseValue as (value: unknown) => I),
    parseLiteral(ast, variables) {
      if (ast.kind !== Kind.STRING) return config.parseLiteral!(ast, variables);
      const hit = literals.get(ast.value);
      if (hit !== undefined) return hit;
      const result = config.parseLiteral!(ast, variables) as I;
      if (literals.size >= size) literals.clear();
      literals.set(ast.value, result);
      return result;
    },
  });
}

/** DateTime's serialize, remembering the string for each instant (every slot serializes two). */
function memoizingInstants<O>(scalar: GraphQLScalarType<Date, O>, size = 16_384): GraphQLScalarType<Date, O> {
  const config = scalar.toConfig();
  const cache = new Map<number, O>();
  return new GraphQLScalarType<Date, O>({
    ...config,
    serialize(value) {
      if (!(value instanceof Date)) return config.serialize!(value) as O;
      const ms = value.getTime();
      const hit = cache.get(ms);
      if (hit !== undefined) return hit;
      const result = config.serialize!(value) as O;
      if (cache.size >= size) cache.clear();
      cache.set(ms, result);
      return result;
    },
  });
}

builder.addScalarType('DateTime', locatingLiteralErrors(memoizingInstants(DateTimeResolver)));
builder.addScalarType('LocalDate', locatingLiteralErrors(memoizingStrings(LocalDateResolver)));
builder.addScalarType('TimeZone', locatingLiteralErrors(memoizingStrings(TimeZoneResolver)));
builder.addScalarType('JSON', JSONResolver);

builder.queryType({ description: 'Availability and event types of the Cal.com account behind this gateway.' });
