/**
 * Demo results (一公开 on the demo data): for the demo plan's finished task, the team serves the
 * notices, enters the results of its visits (mostly 1 未发现问题; some problems, one of them an
 * exemption-list proposal; one result returned by review and entered again), a reviewer who was
 * not on the team approves them, a regulator publishes them, and the task is published — all
 * through the same services the users call, as the demo accounts (one inspector account per
 * officer who enters results, `demo-officer-<certificate>`, with the demo password).
 *
 * Deterministic: the visits are taken in USCC order and their outcome and dates follow from their
 * position; the times are in the task's (past) window, never after `now`.
 */
import type { Db } from '../db/connection.ts';
import * as accountsRepo from '../db/repositories/accounts.ts';
import * as plansRepo from '../db/repositories/plans.ts';
import { shanghaiDate } from '../domain/time.ts';
import { actorOf, addUser } from '../services/accounts.ts';
import type { UserActor } from '../domain/actor.ts';
import { DEMO_PASSWORD } from './loadUsers.ts';
import * as plans from '../services/plans.ts';
import { submitResult } from '../services/results/entry.ts';
import { issueNotice } from '../services/results/notices.ts';
import { publishResult, reviewResult } from '../services/results/review.ts';
import { renderPrintableNotice } from '../web/notice.ts';
import { checkCodeOfVisit } from '../services/public/checkCodes.ts';

const REVIEWER = 'demo-reviewer';
const PUBLISHER = 'demo-regulator';

async function account(db: Db, username: string, make: () => Promise<UserActor>): Promise<UserActor> {
  const found = await accountsRepo.findUserByName(db, username);
  return found ? actorOf(found) : make();
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** An instant at hh:mm Beijing time on a date. */
const at = (date: string, hh: number, mm = 0) => new Date(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`);

type Outcome = 'clean' | 'exemption' | 'disclosure' | 'fire-corrected' | 'fire-open' | 'no-business';
const PROBLEMS: Outcome[] = ['disclosure', 'fire-corrected', 'fire-open', 'disclosure', 'no-business'];

/** Mostly clean; every tenth position from 7 on a problem; the first problem is the exemption proposal. */
function outcomeOf(i: number): Outcome {
  if (i % 10 < 7) return 'clean';
  const n = Math.floor(i / 10) * 3 + (i % 10) - 7;
  return n === 0 ? 'exemption' : PROBLEMS[(n - 1) % PROBLEMS.length];
}

function resultInput(outcome: Outcome, matters: string[], inspectedOn: string) {
  const ok = (except: string | null) => matters.filter((m) => m !== except).map((m) => ({ matter: m, compliant: true }));
  const scjg = matters.find((m) => m.startsWith('SCJG')) ?? matters[0];
  const xf = matters.find((m) => m.startsWith('XF')) ?? matters[matters.length - 1];
  const base = { inspectedOn, method: '实地检查' };
  switch (outcome) {
    case 'clean':
      return { ...base, codes: ['1'], followUp: '无需后续处置', findings: ok(null) };
    case 'exemption':
      // A change of registered particulars not filed, minor, corrected within the ordered time:
      // 渝市监发〔2021〕136号 proposes no penalty — and the correction is still ordered (不罚≠不管).
      return {
        ...base,
        codes: ['E', '2', 'D'],
        followUp: ['责令改正'],
        findings: [
          { matter: scjg, compliant: false, violationType: 'REGISTRATION_CHANGE_NOT_FILED', violatedProvision: '《市场主体登记管理条例》第二十四条', harm: 'minor', correction: 'within-deadline', occurredOn: addDays(inspectedOn, -40) },
          ...ok(scjg),
        ],
        note: '经营场所变更后未办理变更登记，已责令限期改正并于期限内改正。',
      };
    case 'disclosure':
      return {
        ...base,
        codes: ['A', '2', 'B'],
        followUp: ['责令改正'],
        findings: [{ matter: scjg, compliant: false, violationType: 'DISCLOSURE_INCOMPLETE', violatedProvision: '《企业信息公示暂行条例》第十条', harm: 'minor', correction: 'none' }, ...ok(scjg)],
      };
    case 'fire-corrected':
      return {
        ...base,
        codes: ['E', '5'],
        followUp: ['责令改正'],
        findings: [{ matter: xf, compliant: false, violationType: 'FIRE_EQUIPMENT_NOT_MAINTAINED', violatedProvision: '《中华人民共和国消防法》第十六条', harm: 'minor', correction: 'before-decision' }, ...ok(xf)],
      };
    case 'fire-open':
      return {
        ...base,
        codes: ['A', '5'],
        followUp: ['责令改正', '抄告相关部门'],
        findings: [{ matter: xf, compliant: false, violationType: 'FIRE_EXIT_BLOCKED', violatedProvision: '《中华人民共和国消防法》第二十八条', harm: 'not-minor', correction: 'none' }, ...ok(xf)],
      };
    case 'no-business':
      return { ...base, codes: ['F'], followUp: '无需后续处置', findings: [], note: '现场未发现开展本次抽查事项涉及的经营活动。' };
  }
}

/**
 * Results for the demo plan's completed task, published with the task. Does nothing when there
 * is no completed task (the demo plan was not loaded) or no visit of it.
 */
export async function loadDemoResults(db: Db, opts: { now?: Date } = {}): Promise<{ loaded: boolean; taskId?: string; results: number }> {
  const now = opts.now ?? new Date();
  const task = (await plansRepo.tasksInStatus(db, ['completed']))[0];
  if (!task) return { loaded: false, results: 0 };
  const visits = (await plansRepo.visitsOf(db, task.plan_id))
    .filter((v) => v.task_ids.includes(task.id))
    .sort((a, b) => (a.uscc < b.uscc ? -1 : a.uscc > b.uscc ? 1 : 0));
  if (!visits.length) return { loaded: false, results: 0 };

  const reviewer = await account(db, REVIEWER, () => addUser(db, { username: REVIEWER, role: 'reviewer', password: DEMO_PASSWORD }, { name: 'demo', now }));
  const publisher = await account(db, PUBLISHER, () => addUser(db, { username: PUBLISHER, role: 'regulator', department: 'SCJG', password: DEMO_PASSWORD }, { name: 'demo', now }));
  const officers = new Map<string, UserActor>();
  const officer = async (cert: string) => {
    const known = officers.get(cert) ?? (await accountsRepo.listUsers(db)).map(actorOf).find((u) => u.role === 'inspector' && u.officer === cert);
    const u = known ?? (await addUser(db, { username: `demo-officer-${cert}`, role: 'inspector', officer: cert, password: DEMO_PASSWORD }, { name: 'demo', now }));
    officers.set(cert, u);
    return u;
  };

  const today = shanghaiDate(now);
  const last = task.window_end < today ? task.window_end : today;
  const span = Math.max(1, Math.round((Date.parse(last) - Date.parse(task.window_start)) / 86_400_000) + 1);
  // Never after `now` (on the window's last days some steps happen "today").
  const time = (t: Date) => new Date(Math.min(t.getTime(), now.getTime() - 1000));
  let lastPublished = new Date(0);

  // The notices are served on the window's first morning (the check code is shown on them).
  for (const [i, v] of visits.entries()) {
    const member = await officer(v.team[0]);
    await issueNotice(db, { ...member, now: time(at(v.window_start, 9, i % 60)) }, v.id, renderPrintableNotice);
    await checkCodeOfVisit(db, v.id, now);
  }
  for (const [i, v] of visits.entries()) {
    const member = await officer(v.team[0]);
    const inspectedOn = addDays(v.window_start, (i * 7) % span);
    const input = resultInput(outcomeOf(i), v.matters, inspectedOn);
    if (i === 3) {
      // One result goes back to the team with a comment and comes back completed.
      await submitResult(db, { ...member, now: time(at(inspectedOn, 17)) }, v.id, { ...input, note: undefined });
      await reviewResult(db, { ...reviewer, now: time(at(addDays(inspectedOn, 1), 10)) }, v.id, { decision: 'return', comment: '请补充现场检查情况说明。' });
      await submitResult(db, { ...member, now: time(at(addDays(inspectedOn, 1), 15)) }, v.id, { ...input, note: '现场核查经营场所、公示信息和消防设施，均符合要求。' });
    } else {
      await submitResult(db, { ...member, now: time(at(inspectedOn, 17)) }, v.id, input);
    }
    await reviewResult(db, { ...reviewer, now: time(at(addDays(inspectedOn, 2), 10)) }, v.id, { decision: 'approve' });
    const published = time(at(addDays(inspectedOn, 4), 9));
    await publishResult(db, { ...publisher, now: published }, v.id);
    if (published > lastPublished) lastPublished = published;
  }
  await plans.publishTask(db, task.id, { ...publisher, now: time(new Date(lastPublished.getTime() + 3600_000)) });
  return { loaded: true, taskId: task.id, results: visits.length };
}
