import type { DynamicModule } from '@nestjs/common';
import type { SampleAdapter } from '../bootstrap.js';

/**
 * `GraphQLModule` at `/graphql` with the server each adapter uses: Apollo on
 * Express, Mercurius on Fastify (code-first schema, built in memory). Neither
 * adds CORS headers of its own: the endpoint follows `paths['/graphql']`.
 * Each driver is loaded only for its adapter.
 */
export async function sampleGraphqlModule(adapter: SampleAdapter): Promise<DynamicModule> {
  const { GraphQLModule } = await import('@nestjs/graphql');
  if (adapter === 'express') {
    const { ApolloDriver } = await import('@nestjs/apollo');
    return GraphQLModule.forRoot({ driver: ApolloDriver, autoSchemaFile: true, path: '/graphql' });
  }
  const { MercuriusDriver } = await import('@nestjs/mercurius');
  return GraphQLModule.forRoot({ driver: MercuriusDriver, autoSchemaFile: true, path: '/graphql' });
}
