/**
 * Waiting for an import job over HTTP. A job runs in a worker thread of the service, so a test
 * cannot await it: it observes the job's end the way a client does, by reading its status URL,
 * with vi.waitFor (a clear limit, no hand-rolled sleep loop).
 */
import { expect, vi } from 'vitest';
import type request from 'supertest';
import { ImportJobView } from '../../src/http/schemas.ts';

export type ImportJob = ReturnType<typeof ImportJobView.parse>;

/** What can GET a URL: a supertest agent or `request(app)`. */
export interface Getter {
  get(url: string): request.Test;
}

export interface WaitOptions<T> {
  /** How long the job may take, in ms (default 60 s). */
  timeout?: number;
  /** Called with each view of the job while it has not ended. */
  onPoll?: (job: T) => Promise<void> | void;
  /** Reads the response body (default: the ImportJob schema of the API). */
  parse?: (body: unknown) => T;
}

/** Reads `statusUrl` until the job has ended (succeeded or failed) and returns that last view. */
export async function waitForImportJob<T extends { status: string } = ImportJob>(
  agent: Getter,
  statusUrl: string,
  { timeout = 60_000, onPoll, parse = (b) => ImportJobView.parse(b) as unknown as T }: WaitOptions<T> = {},
): Promise<T> {
  return vi.waitFor(
    async () => {
      const res = await agent.get(statusUrl);
      expect(res.status, `GET ${statusUrl}: ${res.text?.slice(0, 300)}`).toBe(200);
      const job = parse(res.body);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await onPoll?.(job);
      throw new Error(`import job ${statusUrl} is still ${job.status} after ${timeout / 1000} s`);
    },
    { timeout, interval: 25 },
  );
}
