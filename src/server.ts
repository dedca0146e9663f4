/** Starts the HTTP service: database, migrations, demo data on an empty database, express. */
import type { Server } from 'node:http';
import type { Config } from './config.ts';
import { createDb, type DbHandle } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createApp } from './http/app.ts';
import { createLogger } from './logger.ts';
import { loadDemoData } from './demo/loadRegistry.ts';
import { loadDemoPlan } from './demo/loadPlan.ts';
import { DEMO_PASSWORD, loadDemoUsers } from './demo/loadUsers.ts';
import { loadDemoResults } from './demo/loadResults.ts';
import { failInterruptedJobs } from './services/imports/importJobs.ts';
import { WorkerPool } from './services/workers.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { JOBS } from './jobs/definitions.ts';

export interface RunningServer {
  server: Server;
  handle: DbHandle;
  /** The worker pool (draws, commitments, simulations, imports), closed with the server. */
  workers: WorkerPool;
  port: number;
  close(): Promise<void>;
}

export async function startServer(config: Readonly<Config>): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const handle = createDb(config.database);
  await migrateToLatest(handle.db);
  // Long operations run in long-lived threads, each with its own connection (see
  // services/workers.ts). Their threads start once the demo data is in (starting them earlier
  // made the first start slower: on two cores they competed with the demo load) and before the
  // service listens, so the first draw does not wait for one. Idle threads are unref'd, so a start
  // that fails below does not hang on them.
  const workers = new WorkerPool({ database: config.database, threads: config.workerThreads, logger });
  const interrupted = await failInterruptedJobs(handle);
  if (interrupted) logger.warn({ interrupted }, '上次停止时未完成的导入任务已标为失败（未写入任何数据）');
  if (config.demoData) {
    const demo = await loadDemoData(handle.db);
    if (demo.loaded) logger.info({ counts: demo.counts }, '已载入渝中区演示数据 (demo data loaded)');
    if (demo.loaded) {
      const demoPlan = await loadDemoPlan(handle.db);
      if (demoPlan.loaded) logger.info({ planId: demoPlan.planId }, '已载入本年度演示抽查计划 (demo plan loaded)');
      const users = await loadDemoUsers(handle.db);
      if (users.length) logger.info({ users }, `已创建演示账号，密码均为 ${DEMO_PASSWORD}（仅供演示）`);
      // After the accounts: the demo reviewer and regulator review and publish the finished task's results.
      const demoResults = await loadDemoResults(handle.db);
      if (demoResults.loaded) logger.info({ taskId: demoResults.taskId, results: demoResults.results }, '已录入并公示演示抽查结果 (demo results published)');
    }
  }
  workers.start();
  const app = createApp({ handle, logger, workers });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, () => resolve(s));
    s.on('error', reject);
  }).catch(async (e: unknown) => {
    await workers.close();
    throw e;
  });
  // A large registry upload over a slow link takes longer than Node's 5-minute default.
  server.requestTimeout = 60 * 60 * 1000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // Scheduled jobs: one run per slot across every instance sharing the database; a slot missed
  // while the service was down runs now.
  const scheduler = config.scheduler ? createScheduler({ handle, jobs: JOBS, logger }) : null;
  void scheduler?.start();
  const shutDown = async () => {
    await scheduler?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await workers.close();
    await handle.close();
  };
  // `on`, not `once`: a listener stays registered while the service stops, so a second signal
  // never meets Node's default action (which would kill the process before the workers and the
  // database are closed); it forces the exit instead.
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, '再次收到停止信号，立即退出');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, '正在停止服务');
    void shutDown().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  /** Stops the service without a signal (tests, embedding): the listeners go with it. */
  const close = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await shutDown();
  };
  // Announced last: whoever waits for this line (an operator's script, a test) may signal the
  // process at once, and a signal that arrives before its listener exists kills it outright.
  logger.info({ port, database: handle.dialect }, `服务已启动：http://localhost:${port}/`);
  return { server, handle, workers, port, close };
}
