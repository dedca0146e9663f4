/**
 * Where the scheduler reads the time. Production uses the system clock; tests use FakeClock
 * and pass explicit instants to `runDue`, so nothing waits for real time to pass.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until told to move. */
export class FakeClock implements Clock {
  private ms: number;

  constructor(start: Date | string) {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new Error(`FakeClock: not an instant: ${String(start)}`);
  }

  now(): Date {
    return new Date(this.ms);
  }

  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }

  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }
}
