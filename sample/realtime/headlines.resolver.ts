import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';

@ObjectType()
export class Headline {
  @Field()
  title!: string;

  @Field()
  section!: string;
}

const HEADLINES: readonly Headline[] = [
  { title: 'CORS answered before the guards', section: 'engineering' },
  { title: 'One allow-list for HTTP and WebSockets', section: 'security' },
];

/**
 * The sample's GraphQL query. `@Cors()` here would have no effect (a boot
 * warning says so): the endpoint's policy is `paths['/graphql']` in the
 * module options.
 */
@Resolver(() => Headline)
export class HeadlinesResolver {
  @Query(() => [Headline])
  headlines(): readonly Headline[] {
    return HEADLINES;
  }
}
