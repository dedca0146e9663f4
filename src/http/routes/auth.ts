/** Sign-in: POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me. */
import { z } from 'zod';
import * as accounts from '../../services/accounts.ts';
import { defineOperation, type Operation } from '../operation.ts';
import { requestSchemas, responseSchemas } from '../schemas.ts';

const tag = 'auth';
const Roles = z.enum(['admin', 'regulator', 'reviewer', 'inspector']);
const LoginBody = z.strictObject({
  username: z.string().min(1).max(64).meta({ title: '用户名' }),
  password: z.string().min(1).max(200).meta({ title: '密码' }),
});
requestSchemas.add(LoginBody, { id: 'Login' });
const User = z.object({ id: z.string(), username: z.string(), role: Roles, department: z.string().nullable(), officer: z.string().nullable() });
responseSchemas.add(User, { id: 'User' });
const LoginReply = z.object({ token: z.string(), expiresAt: z.string(), user: User });
responseSchemas.add(LoginReply, { id: 'LoginReply', description: '登录令牌：以 Authorization: Bearer <token> 发送；到期后须重新登录' });
const LogoutReply = z.object({ revoked: z.boolean() });
responseSchemas.add(LogoutReply, { id: 'LogoutReply' });

export const authOperations: Operation[] = [
  defineOperation({
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    tag,
    summary: '登录：用户名和密码换取有期限的令牌（连续失败会被暂时锁定）',
    access: 'public',
    body: LoginBody,
    responses: { 200: { description: '已登录', schema: LoginReply } },
    errors: [401, 429],
    async handle({ db, body }) {
      return { body: await accounts.login(db, body.username, body.password) };
    },
  }),
  defineOperation({
    method: 'post',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    tag,
    summary: '注销当前令牌',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    responses: { 200: { description: '已注销', schema: LogoutReply } },
    async handle({ db, token }) {
      return { body: { revoked: token ? await accounts.logout(db, token) : false } };
    },
  }),
  defineOperation({
    method: 'get',
    path: '/api/v1/auth/me',
    operationId: 'me',
    tag,
    summary: '当前登录的用户',
    access: ['admin', 'regulator', 'reviewer', 'inspector'],
    responses: { 200: { description: '用户', schema: User } },
    async handle({ user }) {
      return { body: accounts.accountView(user!) };
    },
  }),
];
