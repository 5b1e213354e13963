import { Controller, Injectable, Post } from '@nestjs/common';
import { Cors } from '../../lib/index.js';

/** How many times the subscribe handler actually ran. */
@Injectable()
export class SubscriberCount {
  value = 0;
}

@Controller('newsletter')
export class NewsletterController {
  constructor(private readonly subscribers: SubscriberCount) {}

  /**
   * A `text/plain` POST is a "simple" request: browsers send it without a
   * preflight, and without `rejectDisallowedOrigins` the handler would run for
   * any origin (only the response would be hidden). With it, a request from
   * an origin the policy does not allow gets a 403 before the handler runs.
   */
  @Post('subscriptions')
  @Cors({ rejectDisallowedOrigins: true })
  subscribe() {
    this.subscribers.value++;
    return { subscribed: true, subscribers: this.subscribers.value };
  }
}
