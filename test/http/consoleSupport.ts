/**
 * Console test helpers: an agent that signs in through the real sign-in form (cookies kept by
 * supertest's agent), and reading the CSRF token out of a page, as a browser does.
 */
import { expect } from 'vitest';
import request from 'supertest';
import type { Express } from 'express';
import { makeUser, TEST_PASSWORD } from '../factories/index.ts';
import type { TestDb } from '../helpers/db.ts';
import { findInspector } from '../../src/db/repositories/inspectors.ts';

export type ConsoleAgent = ReturnType<typeof request.agent> & { username: string };

/** The value of the first `_csrf` hidden field of a page. */
export function csrfOf(pageHtml: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(pageHtml);
  if (!m) throw new Error('no CSRF field on the page');
  return m[1];
}

/** Signs in through /console/login with a username and password. */
export async function signInConsole(app: Express, username: string, password = TEST_PASSWORD): Promise<ConsoleAgent> {
  const agent = request.agent(app) as ConsoleAgent;
  agent.username = username;
  const form = await agent.get('/console/login');
  expect(form.status).toBe(200);
  const res = await agent.post('/console/login').type('form').send({ _csrf: csrfOf(form.text), username, password });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return agent;
}

/** Creates an account of a role (as the API tests' `as`) and signs it in to the console. */
export async function consoleAs(
  app: Express,
  db: TestDb,
  username: string,
  role: 'admin' | 'regulator' | 'reviewer' | 'inspector',
  opts: { department?: string; officer?: string } = {},
): Promise<ConsoleAgent> {
  const officer = opts.officer ? await findInspector(db.db, opts.officer) : undefined;
  await makeUser(db.db, {
    username,
    role,
    department_code: role === 'regulator' ? (opts.department ?? null) : role === 'inspector' ? officer!.department_code : null,
    officer_certificate: role === 'inspector' ? officer!.certificate_no : null,
  });
  return signInConsole(app, username);
}

/** GETs a console page and returns it with its CSRF token. */
export async function openPage(agent: ConsoleAgent, url: string): Promise<{ text: string; csrf: string; status: number }> {
  const res = await agent.get(url);
  expect(res.status, `${url}: ${res.text.slice(0, 300)}`).toBe(200);
  return { text: res.text, csrf: csrfOf(res.text), status: res.status };
}
