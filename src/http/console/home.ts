/** The console's home page (工作台首页): what needs the signed-in person's attention. */
import { listDeadlines } from '../../services/deadlines.ts';
import { listPlans } from '../../services/plans.ts';
import { runningImportsOf } from '../../services/imports/importJobs.ts';
import { IMPORT_KIND_LABELS } from '../../domain/columns.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { homePage } from '../../web/console/pages/home.ts';
import type { ConsoleHandler } from './kit.ts';

export const homeHandler: ConsoleHandler = async (ctx) => {
  if (ctx.user.role === 'inspector') {
    ctx.res.redirect(303, '/console/assignments');
    return;
  }
  const plans = await listPlans(ctx.db, undefined, ctx.user);
  const tasks = plans.flatMap((p) => p.tasks.map((t) => ({ ...t, planTitle: p.title, planYear: p.year })));
  const taskIds = new Set(tasks.map((t) => t.id));
  const deadlines = (await listDeadlines(ctx.db))
    .filter((d) => d.state === 'approaching' || d.state === 'overdue')
    .filter((d) => (d.taskId ? taskIds.has(d.taskId) : true));
  const imports = (await runningImportsOf(ctx.db, ctx.user)).map((j) => ({ id: j.id, label: `${IMPORT_KIND_LABELS[j.kind]}：${j.fileName}`, status: j.status, rowsRead: j.rowsRead }));
  ctx.render('工作台', homePage({ who: ctx.who, tasks, deadlines, imports, today: shanghaiDate(new Date()) }), { current: '/console/' });
};
