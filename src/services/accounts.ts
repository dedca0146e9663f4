/**
 * Accounts, roles and sessions. Passwords are stored with scrypt (memory-hard); a login returns
 * a random bearer token that expires; logout revokes it; repeated failed logins are slowed down
 * by an exponentially growing lock-out on the account.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';
import type { Executor } from '../db/connection.ts';
import * as repo from '../db/repositories/accounts.ts';
import * as inspectorsRepo from '../db/repositories/inspectors.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import { assertRole, ROLES, type Actor, type Role, type UserActor } from '../domain/actor.ts';
import { inTransaction, isUniqueViolation } from '../db/tx.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { nowIso } from '../domain/time.ts';
import { audit } from './auditTrail.ts';

export { ROLES, type Role };
export const ROLE_LABELS: Record<Role, string> = { admin: '管理员', regulator: '监管人员', reviewer: '审核人员', inspector: '执法检查人员' };

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, keylen: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
/** N = 2^15, r = 8: 32 MiB of memory per hash. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
export const TOKEN_TTL_MS = 8 * 3600 * 1000;
/** Failed attempts allowed before the account is locked for 2, 4, 8 … seconds (capped). */
const FREE_ATTEMPTS = 3;
const MAX_LOCK_SECONDS = 15 * 60;

/** The signed-in account as the API shows it (POST /auth/login, GET /auth/me). */
export interface AccountView {
  id: string;
  username: string;
  role: Role;
  department: string | null;
  officer: string | null;
}

/** The actor of an account (a users row, or a session joined with its user). */
export function actorOf(u: { id: string; username: string; role: Role; department_code: string | null; officer_certificate: string | null }): UserActor {
  return { name: u.username, userId: u.id, role: u.role, department: u.department_code, officer: u.officer_certificate };
}

/**
 * The actor of an existing, active account, for the CLI's --as: the operator acts in that
 * person's name, with that person's role and data scope (and the four-eyes rule compares names).
 */
export async function actorOfAccount(db: Executor, username: string): Promise<UserActor> {
  const name = username.trim();
  const u = name ? await repo.findUserByName(db, name) : undefined;
  if (!u) throw new NotFoundError(`没有账号“${name}”；--as 须写已有账号的用户名（用 double-random user list 查看）`, 'ACCOUNT_NOT_FOUND');
  if (u.disabled_at) throw new ForbiddenError(`账号 ${name} 已停用，不能以其名义操作`, 'ACCOUNT_DISABLED');
  return actorOf(u);
}

export function accountView(a: UserActor): AccountView {
  return { id: a.userId, username: a.name, role: a.role, department: a.department, officer: a.officer };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const key = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return crypto.timingSafeEqual(key, expected);
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < 10 || password.length > 200) {
    throw new ValidationError('密码长度须为 10–200 个字符', [{ path: 'password', code: 'WEAK_PASSWORD', message: '密码至少 10 个字符' }], 'WEAK_PASSWORD');
  }
}

/** The installation itself (the operator at the CLI): full authority, recorded as 'cli'. */
const INSTALLATION: Actor = { name: 'cli' };

/** Only administrators (and the installation itself) manage accounts. */
const ACCOUNT_ADMINS: readonly Role[] = ['admin'];

/**
 * A one-time password the server makes up for a new account or a reset (shown once to the
 * administrator, who hands it over; the person then changes it): 16 characters from an alphabet
 * without look-alikes (0/O, 1/l/I), about 90 bits.
 */
export function oneTimePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(16);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}`;
}

/** A role with its department (regulators) or linked officer (inspectors, whose department follows the officer's), checked. */
async function placement(db: Executor, input: { role: string; department?: string | null; officer?: string | null }): Promise<{ role: Role; department: string | null; officer: string | null }> {
  if (!ROLES.includes(input.role as Role)) {
    throw new ValidationError(`角色“${input.role}”无效；可用：${ROLES.join('、')}`, [{ path: 'role', code: 'INVALID_ROLE', message: '角色无效' }], 'INVALID_ROLE');
  }
  const role = input.role as Role;
  let department: string | null = null;
  let officer: string | null = null;
  if (role === 'regulator') {
    if (!input.department || !(await referenceRepo.findDepartment(db, input.department))) {
      throw new ValidationError('监管人员须指定所属部门（须为已有的部门；命令行用 --department 写部门代码）', [{ path: 'department', code: 'DEPARTMENT_REQUIRED', message: '缺少或无效的部门' }], 'DEPARTMENT_REQUIRED');
    }
    department = input.department;
  }
  if (role === 'inspector') {
    const o = input.officer ? await inspectorsRepo.findInspector(db, input.officer) : undefined;
    if (!o) throw new ValidationError('执法检查人员账号须关联名录中已有的执法证号（命令行用 --officer）', [{ path: 'officer', code: 'OFFICER_REQUIRED', message: '缺少或无效的执法证号' }], 'OFFICER_REQUIRED');
    officer = o.certificate_no;
    department = o.department_code;
  }
  return { role, department, officer };
}

/** Creates an account (administrators, or the installation itself). */
export async function addUser(
  db: Executor,
  input: { username: string; role: string; department?: string; officer?: string; password: string },
  actor: Actor = INSTALLATION,
): Promise<UserActor> {
  assertRole(actor, ACCOUNT_ADMINS);
  const now = actor.now ?? new Date();
  const username = (input.username ?? '').trim();
  if (!/^[\p{L}\p{N}_.@-]{2,64}$/u.test(username)) {
    throw new ValidationError('用户名须为 2–64 个字母、数字或 _ . @ -', [{ path: 'username', code: 'INVALID_USERNAME', message: '用户名无效' }], 'INVALID_USERNAME');
  }
  const { role, department, officer } = await placement(db, input);
  checkPassword(input.password);
  const id = crypto.randomUUID();
  const passwordHash = await hashPassword(input.password);
  try {
    await inTransaction(db, async (trx) => {
      await repo.insertUser(trx, {
        id,
        username,
        role,
        department_code: department,
        officer_certificate: officer,
        password_hash: passwordHash,
        disabled_at: null,
        locked_until: null,
        created_at: nowIso(now),
        updated_at: nowIso(now),
      });
      await audit(trx, { name: actor.name, now }, 'user.create', 'user', username, null, { role, department, officer });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`用户名 ${username} 已存在`, 'USER_EXISTS');
    throw e;
  }
  return { name: username, userId: id, role, department, officer };
}

async function mustUser(db: Executor, username: string) {
  const u = await repo.findUserByName(db, username);
  if (!u) throw new NotFoundError(`没有用户 ${username}`, 'USER_NOT_FOUND');
  return u;
}

/** An administrator may not lock itself out (disable its own account, or take away its own role). */
function notSelf(actor: Actor, u: repo.UserRow, what: string): void {
  if (actor.userId && actor.userId === u.id) throw new ConflictError(`不能${what}；请由另一位管理员操作`, 'SELF_CHANGE');
}

/** Disables an account and ends all its sessions (administrators, or the installation itself). */
export async function disableUser(db: Executor, username: string, actor: Actor = INSTALLATION): Promise<void> {
  assertRole(actor, ACCOUNT_ADMINS);
  const now = actor.now ?? new Date();
  await inTransaction(db, async (trx) => {
    const u = await mustUser(trx, username);
    notSelf(actor, u, '停用自己的账号');
    await repo.updateUser(trx, u.id, { disabled_at: nowIso(now), updated_at: nowIso(now) });
    await repo.revokeSessionsOf(trx, u.id, nowIso(now));
    await audit(trx, { name: actor.name, now }, 'user.disable', 'user', username, { disabled: u.disabled_at !== null }, { disabled: true });
  });
}

/** Sets a new password and ends all the account's sessions (administrators, or the installation itself). */
export async function resetPassword(db: Executor, username: string, password: string, actor: Actor = INSTALLATION): Promise<void> {
  assertRole(actor, ACCOUNT_ADMINS);
  const now = actor.now ?? new Date();
  await mustUser(db, username);
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  await inTransaction(db, async (trx) => {
    const u = await mustUser(trx, username);
    await repo.updateUser(trx, u.id, { password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: nowIso(now) });
    await repo.revokeSessionsOf(trx, u.id, nowIso(now));
    await audit(trx, { name: actor.name, now }, 'user.password-reset', 'user', username, null, { passwordReset: true });
  });
}

/**
 * Changes an account's role, department (regulators) or linked officer (inspectors), checked as
 * at creation. Its sessions go on with the new role (a session reads the account on every request).
 */
export async function updateUserRole(
  db: Executor,
  username: string,
  input: { role: string; department?: string | null; officer?: string | null },
  actor: Actor = INSTALLATION,
): Promise<UserActor> {
  assertRole(actor, ACCOUNT_ADMINS);
  const now = actor.now ?? new Date();
  const next = await placement(db, input);
  return inTransaction(db, async (trx) => {
    const u = await mustUser(trx, username);
    if (next.role !== u.role) notSelf(actor, u, '更改自己账号的角色');
    const before = { role: u.role, department: u.department_code, officer: u.officer_certificate };
    await repo.updateUser(trx, u.id, { role: next.role, department_code: next.department, officer_certificate: next.officer, updated_at: nowIso(now) });
    await audit(trx, { name: actor.name, now }, 'user.update-role', 'user', username, before, next);
    return { name: u.username, userId: u.id, ...next };
  });
}

/**
 * A signed-in person changes their own password: the current one must be right (a wrong one
 * counts as a failed login, so it cannot be guessed here either). Every session of the account
 * ends, this one included: the person signs in again with the new password.
 */
export async function changeOwnPassword(db: Executor, who: UserActor, current: string, next: string, now = new Date()): Promise<void> {
  const u = await repo.findUser(db, who.userId);
  if (!u || u.disabled_at) throw new AppError(401, 'INVALID_CREDENTIALS', '账号不可用，请重新登录');
  await claimLoginAttempt(db, u, now);
  if (!(await verifyPassword(current, u.password_hash))) {
    throw new ValidationError('当前密码不正确', [{ path: 'current', code: 'WRONG_PASSWORD', message: '当前密码不正确' }], 'WRONG_PASSWORD');
  }
  if (current === next) throw new ValidationError('新密码不能与当前密码相同', [{ path: 'password', code: 'SAME_PASSWORD', message: '新密码与当前密码相同' }], 'SAME_PASSWORD');
  checkPassword(next);
  const passwordHash = await hashPassword(next);
  await inTransaction(db, async (trx) => {
    await repo.updateUser(trx, u.id, { password_hash: passwordHash, failed_logins: 0, locked_until: null, updated_at: nowIso(now) });
    await repo.revokeSessionsOf(trx, u.id, nowIso(now));
    await audit(trx, { name: who.name, now }, 'user.password-change', 'user', u.username, null, { passwordChanged: true });
  });
}

const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export class LoginThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'LOGIN_THROTTLED', `登录失败次数过多，请 ${retryAfterSeconds} 秒后再试`);
  }
}

/**
 * Username and password → a bearer token that expires. An unknown user, a wrong password and a
 * disabled account all get the same answer (a disabled account's right password is not told
 * apart from a wrong one).
 *
 * The lock-out holds under parallel requests: each attempt first claims one try with a single
 * conditional UPDATE (compare-and-set on the failure count, refused while the account is
 * locked), and only then spends the time to check the password. Of N parallel guesses, only
 * those that claimed a try before the count reached the lock are checked; the rest get 429.
 * A successful login clears the count.
 */
export async function login(db: Executor, username: string, password: string, now = new Date()) {
  const invalid = () => new AppError(401, 'INVALID_CREDENTIALS', '用户名或密码错误');
  const u = typeof username === 'string' ? await repo.findUserByName(db, username.trim()) : undefined;
  if (!u || typeof password !== 'string') {
    // Spend the same time as a real check, so timing does not tell which usernames exist.
    await hashPassword('x'.repeat(12));
    throw invalid();
  }
  await claimLoginAttempt(db, u, now);
  const ok = await verifyPassword(password, u.password_hash);
  if (!ok || u.disabled_at) throw invalid();
  await repo.resetAttempts(db, u.id);
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS).toISOString();
  await repo.insertSession(db, { token_hash: tokenHash(token), user_id: u.id, created_at: nowIso(now), expires_at: expiresAt, revoked_at: null });
  return { token, expiresAt, user: accountView(actorOf(u)) };
}

/**
 * Counts one login attempt before the password is checked, atomically: the UPDATE applies only
 * if the count is still the one read and the account is not locked; otherwise the row is read
 * again (another attempt got there first). After FREE_ATTEMPTS the account locks for 2, 4, 8 …
 * seconds (capped). Throws LOGIN_THROTTLED while locked.
 */
async function claimLoginAttempt(db: Executor, user: repo.UserRow, now: Date): Promise<void> {
  let current: repo.UserRow | undefined = user;
  for (let tries = 0; tries < 50 && current; tries++) {
    if (current.locked_until && current.locked_until > nowIso(now)) {
      throw new LoginThrottledError(Math.max(1, Math.ceil((Date.parse(current.locked_until) - now.getTime()) / 1000)));
    }
    const failed = current.failed_logins + 1;
    const lockSeconds = failed > FREE_ATTEMPTS ? Math.min(MAX_LOCK_SECONDS, 2 ** (failed - FREE_ATTEMPTS)) : 0;
    const lockedUntil = lockSeconds ? new Date(now.getTime() + lockSeconds * 1000).toISOString() : null;
    if (await repo.claimAttempt(db, current.id, current.failed_logins, nowIso(now), { failed_logins: failed, locked_until: lockedUntil })) return;
    current = await repo.findUser(db, user.id);
  }
  // Under a storm of parallel attempts the count keeps moving: treat it as locked.
  throw new LoginThrottledError(2);
}

export async function logout(db: Executor, token: string, now = new Date()): Promise<boolean> {
  return (await repo.revokeSession(db, tokenHash(token), nowIso(now))) === 1;
}

/** The user a bearer token belongs to, or null when it is unknown, expired, revoked or disabled. */
export async function authenticate(db: Executor, token: string, now = new Date()): Promise<UserActor | null> {
  const s = await repo.findSession(db, tokenHash(token), nowIso(now));
  if (!s) return null;
  return actorOf(s);
}

/** Every account (administrators, or the installation itself). */
export async function listUsers(db: Executor, actor: Actor = INSTALLATION) {
  assertRole(actor, ACCOUNT_ADMINS);
  return (await repo.listUsers(db)).map((u) => ({
    username: u.username,
    role: u.role,
    department: u.department_code,
    officer: u.officer_certificate,
    disabled: u.disabled_at !== null,
    disabledAt: u.disabled_at,
    createdAt: u.created_at,
    updatedAt: u.updated_at,
  }));
}
