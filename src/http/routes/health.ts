/** GET /healthz: the process is up and the database answers a trivial query. */
import { ping } from '../../db/connection.ts';
import { defineOperation, type Deps } from '../operation.ts';
import { errorBody } from '../errors.ts';
import { Health, HealthFailure } from '../schemas.ts';

/** A database that does not answer within this time counts as down (a dead PostgreSQL can hang a pool). */
const PROBE_TIMEOUT_MS = 3000;

async function probe(deps: Deps): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([ping(deps.handle.db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const healthOperations = [
  defineOperation({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    access: 'public',
    tag: 'health',
    summary: '健康检查：服务在运行且数据库能应答',
    responses: {
      200: { description: '正常', schema: Health },
      503: { description: '数据库无应答', schema: HealthFailure },
    },
    async handle({ deps }) {
      const database = deps.handle.dialect;
      try {
        await probe(deps);
        return { body: { status: 'ok', database } };
      } catch (err) {
        deps.logger.error({ err }, 'health check: database does not answer');
        const failure = errorBody('DATABASE_UNAVAILABLE', '数据库没有应答；请检查数据库服务和 DATABASE_URL 配置');
        return { status: 503, body: { status: 'unavailable', database, ...failure } };
      }
    },
  }),
];

