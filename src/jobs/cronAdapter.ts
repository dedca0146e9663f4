/**
 * The only place that starts node-cron timers. The scheduler talks to a CronDriver, so tests
 * can register ticks without timers and fire them by hand.
 */
import cron from 'node-cron';

export interface CronRegistration {
  /** Stops the timer for good (the process may then exit). */
  stop(): Promise<void>;
}

export interface CronDriver {
  /**
   * Calls `onTick(scheduledAt)` at every fire time of `expression` in `timezone`, and also for
   * a fire time that came and went while the event loop was blocked (node-cron does not run
   * those itself; the scheduler's catch-up makes up for them).
   */
  register(r: { name: string; expression: string; timezone: string; onTick: (scheduledAt: Date) => void }): CronRegistration;
}

export const nodeCronDriver: CronDriver = {
  register({ name, expression, timezone, onTick }) {
    const task = cron.createTask(expression, (ctx) => onTick(ctx.date), { name, timezone });
    // Listening marks the miss as handled, so node-cron does not print its own warning.
    task.on('execution:missed', (ctx) => onTick(ctx.date));
    void task.start();
    return {
      async stop() {
        await task.destroy();
      },
    };
  },
};
