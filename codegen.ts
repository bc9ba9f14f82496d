/**
 * GraphQL Code Generator: typed documents for the operations the tests send, generated offline from
 * the committed schema.graphql into test/gql/ (`npm run codegen`; `npm test` runs it first).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', '!test/gql/**'],
  emitLegacyCommonJSImports: false,
  generates: {
    'test/gql/': {
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
  hooks: {},
};

export default config;
