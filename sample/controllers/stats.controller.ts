import { Controller, Get, Query } from '@nestjs/common';
import { Cors } from '../../lib/index.js';
import { PreflightCounter } from '../diagnostics/preflight-counter.js';
import { RefusalLog } from '../diagnostics/refusal-log.js';
import { SubscriberCount } from './newsletter.controller.js';

/**
 * What the server saw, for the playground: OPTIONS requests per path, the
 * refusals nestjs-cors explained (`debug: true`), and how many times the
 * newsletter handler ran. Public (`origin: '*'`) so every page origin can read it.
 */
@Controller('stats')
@Cors({ origin: '*', credentials: false })
export class StatsController {
  constructor(
    private readonly preflights: PreflightCounter,
    private readonly refusals: RefusalLog,
    private readonly subscribers: SubscriberCount,
  ) {}

  @Get()
  summary() {
    return {
      preflights: this.preflights.snapshot(),
      lastRefusal: this.refusals.last,
      subscribers: this.subscribers.value,
    };
  }

  @Get('preflights')
  preflightCounts() {
    return this.preflights.snapshot();
  }

  /** Refusals explained after `?after=<seq>` (all kept ones without it). */
  @Get('refusals')
  refusalLog(@Query('after') after?: string) {
    return { last: this.refusals.last, entries: this.refusals.since(Number(after) || 0) };
  }
}
