/** Accounts and their sessions (bearer tokens stored only as SHA-256). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { SessionTable, UserTable } from '../schema.ts';
import type { Executor } from '../connection.ts';
import { assertTransaction } from '../tx.ts';

export type UserRow = Selectable<UserTable>;

export async function insertUser(db: Executor, row: Insertable<UserTable>): Promise<void> {
  assertTransaction(db, 'insertUser');
  await db.insertInto('users').values(row).execute();
}

export async function findUserByName(db: Executor, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUser(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: Executor): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function updateUser(db: Executor, id: string, changes: Updateable<UserTable>): Promise<void> {
  assertTransaction(db, 'updateUser');
  await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/** Clears the failed-login count after a good password (sign-in bookkeeping: no transaction asserted). */
export async function resetAttempts(db: Executor, id: string): Promise<void> {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', id).execute();
}

/**
 * One login attempt, counted atomically: sets the new count and lock only if the count is still
 * `expectedFailed` and the account is not locked at `now`. False when another attempt came first.
 */
export async function claimAttempt(
  db: Executor,
  id: string,
  expectedFailed: number,
  now: string,
  changes: { failed_logins: number; locked_until: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('users')
    .set(changes)
    .where('id', '=', id)
    .where('failed_logins', '=', expectedFailed)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertSession(db: Executor, row: Insertable<SessionTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** The live session of a token hash with its user, or undefined. */
export async function findSession(db: Executor, tokenHash: string, now: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.token_hash', 's.expires_at', 'u.id', 'u.username', 'u.role', 'u.department_code', 'u.officer_certificate'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function revokeSession(db: Executor, tokenHash: string, now: string): Promise<number> {
  const r = await db.updateTable('sessions').set({ revoked_at: now }).where('token_hash', '=', tokenHash).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function revokeSessionsOf(db: Executor, userId: string, now: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
}
