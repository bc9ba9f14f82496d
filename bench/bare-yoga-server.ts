/**
 * A bare graphql-yoga server (no plugins, no store, no upstream) whose `availability` field refuses
 * at once with a typed error: the floor any GraphQL-over-HTTP refusal has on this machine, for the
 * admission scenario (bench/admission.ts). Listens on 127.0.0.1:$PORT; `/ready` answers 200.
 */
import { createServer } from 'node:http';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({
    typeDefs: 'type Day { date: String! } type Availability { days: [Day!]! } type Query { availability(eventTypeId: Int!, start: String!, end: String!, timeZone: String!): Availability }',
    resolvers: {
      Query: {
        availability: async () => {
          throw new GraphQLError('The Cal.com request quota is exhausted (deadline); retry in 5 s.', { extensions: { code: 'QUOTA_EXHAUSTED', retryAfterSeconds: 5 } });
        },
      },
    },
  }),
  logging: false,
  landingPage: false,
});
createServer((req, res) => {
  if (req.url === '/ready') return void res.end('ok');
  void yoga(req, res);
}).listen(Number(process.env.PORT), '127.0.0.1');
// Exit (rather than die of the signal) when stopped, so `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
