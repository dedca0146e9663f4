/** Shared set-up of the HTTP tests: a real, migrated database per file and an app over it. */
import { expect } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import type { Express } from 'express';
import { createApp } from '../../src/http/app.ts';
import { USCC_ALPHABET } from '../../src/domain/uscc.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { findInspector } from '../../src/db/repositories/inspectors.ts';
import { makeSession, makeUser, usccOf, TEST_PASSWORD } from '../factories/index.ts';

export interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  err?: { message?: string; stack?: string };
  [key: string]: unknown;
}

export type Agent = ReturnType<typeof request.agent>;

export interface Api {
  db: TestDb;
  app: Express;
  /** Error-level log lines the app wrote. */
  logs: LogLine[];
  /** Signed in as an administrator. */
  http: Agent;
  /** The administrator's bearer token (for requests built without the agent). */
  token: string;
  /** Without any token (the public). */
  anonymous: ReturnType<typeof request>;
  /**
   * Creates a user of a role (a regulator in `department`, an inspector linked to the registry's
   * officer `officer`) and returns an agent signed in as it. Made by the factories: signing in is
   * what test/http/auth.test.ts is about, not what every fixture needs.
   */
  as(username: string, role: 'admin' | 'regulator' | 'reviewer' | 'inspector', opts?: { department?: string; officer?: string }): Promise<Agent>;
}

export { TEST_PASSWORD };

export async function startApi(): Promise<Api> {
  const db = await createTestDb();
  const logs: LogLine[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const app = createApp({ handle: db, logger });
  const signIn = async (username: string, role: 'admin' | 'regulator' | 'reviewer' | 'inspector', opts: { department?: string; officer?: string } = {}) => {
    const officer = opts.officer ? await findInspector(db.db, opts.officer) : undefined;
    if (opts.officer && !officer) throw new Error(`signIn: no officer ${opts.officer} in the registry`);
    const user = await makeUser(db.db, {
      username,
      role,
      department_code: role === 'regulator' ? (opts.department ?? null) : role === 'inspector' ? officer!.department_code : null,
      officer_certificate: role === 'inspector' ? officer!.certificate_no : null,
    });
    return makeSession(db.db, user);
  };
  const as: Api['as'] = async (username, role, opts = {}) => request.agent(app).set('Authorization', `Bearer ${await signIn(username, role, opts)}`);
  const token = await signIn('test-admin', 'admin');
  const http = request.agent(app).set('Authorization', `Bearer ${token}`);
  return { db, app, logs, http, token, anonymous: request(app), as };
}

/** A valid USCC in Yuzhong (500103): the factories' `usccOf`. */
export const uscc = usccOf;

/** The same code with a wrong check character; returns it and the character that was expected. */
export function withWrongCheck(code: string): { code: string; expected: string } {
  const expected = code[17];
  const wrong = USCC_ALPHABET[(USCC_ALPHABET.indexOf(expected) + 1) % USCC_ALPHABET.length];
  return { code: code.slice(0, 17) + wrong, expected };
}

export interface ErrorJson {
  error: { code: string; message: string; problems: { path: string; code: string; message: string }[] };
}

/**
 * Asserts an error response: its status and code, and, for 400s, that one problem names `path`
 * (with `problemCode` when given). Returns that problem.
 */
export function expectError(
  res: request.Response,
  status: number,
  code: string,
  path?: string,
  problemCode?: string,
): { path: string; code: string; message: string } | undefined {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.body as ErrorJson;
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[\u4e00-\u9fff]/); // users read Chinese
  if (status === 400) expect(body.error.problems.length).toBeGreaterThan(0);
  if (path === undefined) return undefined;
  const problem = body.error.problems.find((p) => p.path === path);
  expect(problem, `no problem at ${path} in ${JSON.stringify(body.error.problems)}`).toBeDefined();
  if (problemCode) expect(problem!.code).toBe(problemCode);
  expect(problem!.message).toMatch(/[\u4e00-\u9fff]/);
  return problem;
}

const TABLES = [
  'departments', 'matters', 'objects', 'grade_history', 'registry_changes', 'abnormal_listings', 'inspectors', 'conflicts',
] as const;

/** Row counts of every table a registry write can touch: equal before and after a failed request. */
export async function rowCounts(db: TestDb): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** Any well-formed bearer token: enough to reach a handler whose database is broken. */
export const SOME_TOKEN = `Bearer ${'x'.repeat(43)}`;
