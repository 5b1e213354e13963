import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** One refusal explained by nestjs-cors (`debug: true`). */
export interface RefusalEntry {
  readonly seq: number;
  readonly message: string;
}

/**
 * The last refusals nestjs-cors explained, so the playground can show the
 * server's side of a blocked request (a blocked response is opaque to the page).
 */
export class RefusalLog {
  private readonly entries: RefusalEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 200) {}

  record(message: string): void {
    this.entries.push({ seq: ++this.seq, message });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  /** Sequence number of the newest entry (0 when none). */
  get last(): number {
    return this.seq;
  }

  /** Entries newer than `seq`. */
  since(seq: number): RefusalEntry[] {
    return this.entries.filter((entry) => entry.seq > seq);
  }
}

/**
 * Nest's console logger, printing the levels asked for, that also keeps the
 * `CorsModule` debug lines (one per refused CORS request) in a {@link RefusalLog},
 * whatever is printed.
 */
export class SampleLogger extends ConsoleLogger {
  constructor(
    private readonly refusals: RefusalLog,
    logLevels: LogLevel[],
  ) {
    super({ logLevels });
  }

  override debug(message: unknown, ...optionalParams: unknown[]): void {
    if (optionalParams[optionalParams.length - 1] === 'CorsModule' && typeof message === 'string') {
      this.refusals.record(message);
    }
    super.debug(message, ...(optionalParams as [string?]));
  }
}
