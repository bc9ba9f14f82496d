/**
 * A yoga plugin that gives coercion errors of arguments the same shape as the resolvers' own
 * checks: `extensions.code = "BAD_USER_INPUT"` and `extensions.argument` naming the argument.
 *
 * graphql-js reports a bad literal (`timeZone: "Mars/Base"`) as a validation error and a bad
 * variable value as an execution error, both without a code. Other validation errors get
 * `GRAPHQL_VALIDATION_FAILED`.
 */
import { GraphQLError, Kind, visit, type ASTNode, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/** The argument whose value contains `node` (by source position), if any. */
function argumentContaining(document: DocumentNode, node: ASTNode): string | undefined {
  const loc = node.loc;
  if (!loc) return undefined;
  let found: string | undefined;
  visit(document, {
    Argument(arg) {
      if (arg.loc && arg.loc.start <= loc.start && loc.end <= arg.loc.end) found = arg.name.value;
    },
  });
  return found;
}

/** The arguments a variable is passed to. */
function argumentsUsingVariable(document: DocumentNode, variable: string): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(arg) {
      visit(arg.value, {
        Variable(v) {
          if (v.name.value === variable) names.add(arg.name.value);
        },
      });
    },
  });
  return [...names];
}

function withCode(error: GraphQLError, code: ErrorCode, message = error.message, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    extensions: { ...error.extensions, code, ...(argument ? { argument } : {}) },
  });
}

function classifyValidationError(error: GraphQLError, document: DocumentNode): GraphQLError {
  if (error.extensions.code) return error;
  const node = error.nodes?.[0];
  const argument = node && node.kind !== Kind.ARGUMENT ? argumentContaining(document, node) : undefined;
  if (argument && node && node.kind !== Kind.FIELD) {
    return withCode(error, ErrorCode.BAD_USER_INPUT, `Invalid argument "${argument}": ${error.message}`, argument);
  }
  return withCode(error, ErrorCode.GRAPHQL_VALIDATION_FAILED);
}

function classifyVariableError(error: GraphQLError, document: DocumentNode): GraphQLError {
  const node = error.nodes?.[0];
  if (error.extensions.code || error.path || node?.kind !== Kind.VARIABLE_DEFINITION) return error;
  const argument = argumentsUsingVariable(document, node.variable.name.value).join(', ');
  return withCode(error, ErrorCode.BAD_USER_INPUT, error.message, argument || undefined);
}

export function useInputErrorCodes(): Plugin {
  return {
    onValidate({ params }) {
      return ({ result, setResult }) => {
        if (result.length > 0) setResult(result.map((e) => classifyValidationError(e, params.documentAST)));
      };
    },
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          const single = result as ExecutionResult;
          if (!single.errors?.length || Symbol.asyncIterator in (result as object)) return;
          setResult({ ...single, errors: single.errors.map((e) => classifyVariableError(e, args.document)) });
        },
      };
    },
  };
}
