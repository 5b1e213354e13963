import { Body, Controller, Get, Headers, Post } from '@nestjs/common';

/** The cookie the playground sets on its own origin, to show credentials crossing origins. */
export const SESSION_COOKIE = 'playground_session';

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/**
 * No `@Cors()` here: these routes use the module defaults, i.e. what
 * `CorsModule.forRootAsync()` built from `CORS_ORIGINS` and `CORS_CREDENTIALS`.
 */
@Controller('articles')
export class ArticlesController {
  private readonly articles = [
    { id: 1, title: 'Per-route CORS in NestJS' },
    { id: 2, title: 'Why preflights never reach your guards' },
  ];

  /** A simple GET: no preflight; readable from the origins in `CORS_ORIGINS`. */
  @Get()
  list() {
    return this.articles;
  }

  /**
   * A JSON POST sent with `credentials: 'include'`: preflighted (JSON is not a
   * "simple" content type), and readable only because the defaults allow
   * credentials. It answers with the cookie it received, to show it came along.
   */
  @Post()
  create(@Body() body: { title?: unknown } | undefined, @Headers('cookie') cookie: string | undefined) {
    return {
      id: this.articles.length + 1,
      title: typeof body?.title === 'string' ? body.title : 'Untitled',
      sessionCookie: readCookie(cookie, SESSION_COOKIE) ?? null,
    };
  }
}
