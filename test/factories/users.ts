/**
 * Accounts and signed-in sessions, inserted through the accounts repository. The password hash
 * is the service's own (hashPassword), computed once per test file: scrypt is deliberately slow,
 * and a fixture needs a user that can sign in, not a new salt each time.
 */
import crypto from 'node:crypto';
import type { Executor } from '../../src/db/connection.ts';
import * as accountsRepo from '../../src/db/repositories/accounts.ts';
import { hashPassword, TOKEN_TTL_MS } from '../../src/services/accounts.ts';
import { FACTORY_NOW, nextSeq, write } from './common.ts';

export type UserRow = accountsRepo.UserRow;

/** The password of every factory user. */
export const TEST_PASSWORD = 'correct horse battery';

let hashOfTestPassword: Promise<string> | undefined;
const testPasswordHash = () => (hashOfTestPassword ??= hashPassword(TEST_PASSWORD));

/**
 * A user who signs in with TEST_PASSWORD: a reviewer unless overridden. A regulator needs its
 * `department_code`, an inspector its `officer_certificate` (and that officer's department).
 */
export async function makeUser(db: Executor, overrides: Partial<UserRow> = {}): Promise<UserRow> {
  const n = nextSeq();
  const row: UserRow = {
    id: crypto.randomUUID(),
    username: `user-${n}`,
    role: 'reviewer',
    department_code: null,
    officer_certificate: null,
    password_hash: await testPasswordHash(),
    disabled_at: null,
    failed_logins: 0,
    locked_until: null,
    created_at: FACTORY_NOW,
    updated_at: FACTORY_NOW,
    ...overrides,
  };
  await write(db, (trx) => accountsRepo.insertUser(trx, row));
  return row;
}

/**
 * A signed-in session of `user`, as login would open it (the stored hash is the token's SHA-256),
 * valid for the service's token lifetime from the real now. Returns the bearer token.
 */
export async function makeSession(db: Executor, user: Pick<UserRow, 'id'>, now = new Date()): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  await accountsRepo.insertSession(db, {
    token_hash: crypto.createHash('sha256').update(token).digest('hex'),
    user_id: user.id,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + TOKEN_TTL_MS).toISOString(),
    revoked_at: null,
  });
  return token;
}
