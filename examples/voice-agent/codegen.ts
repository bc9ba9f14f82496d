/**
 * GraphQL Code Generator for the voice-agent example: typed documents for its operations, generated
 * offline from the committed schema.graphql into examples/voice-agent/gql/ (committed, so the example
 * runs without a codegen step). Run from the repository root after a schema change:
 *
 *   npx graphql-codegen --config examples/voice-agent/codegen.ts
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['examples/voice-agent/**/*.ts', '!examples/voice-agent/gql/**'],
  emitLegacyCommonJSImports: false,
  generates: {
    'examples/voice-agent/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          DateTime: { input: 'string', output: 'string' },
          LocalDate: { input: 'string', output: 'string' },
          TimeZone: { input: 'string', output: 'string' },
        },
      },
    },
  },
};

export default config;
