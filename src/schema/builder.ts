/**
 * The one Pothos builder. Domain files under src/schema/ register their types on it;
 * src/schema/index.ts imports them all and builds the schema.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import { GraphQLError, GraphQLScalarType } from 'graphql';
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

builder.addScalarType('DateTime', locatingLiteralErrors(DateTimeResolver));
builder.addScalarType('LocalDate', locatingLiteralErrors(LocalDateResolver));
builder.addScalarType('TimeZone', locatingLiteralErrors(TimeZoneResolver));
builder.addScalarType('JSON', JSONResolver);

builder.queryType({ description: 'Availability and event types of the Cal.com account behind this gateway.' });
