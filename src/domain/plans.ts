/**
 * Annual plans (年度抽查计划) and their numbered tasks (抽查任务): the lifecycle, the official
 * task name, and the checks a task must pass (general-matter caps, the 3% enterprise-disclosure
 * minimum). Pure: counts come in, problems go out.
 */
import { Rational } from './draw/rational.ts';
import { STRATA, type Stratum } from './draw/params.ts';

export const TASK_STATUSES = ['draft', 'approved', 'committed', 'drawn', 'in_progress', 'completed', 'published'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  draft: '草拟',
  approved: '已审批',
  committed: '已承诺',
  drawn: '已抽取',
  in_progress: '检查中',
  completed: '检查结束',
  published: '已公示',
};

/** Allowed moves. A voided draw sends a committed or drawn task back to 'approved'. */
export const TRANSITIONS: Record<TaskStatus, TaskStatus[]> = {
  draft: ['approved'],
  approved: ['draft', 'committed'],
  committed: ['drawn', 'approved'],
  drawn: ['in_progress', 'approved'],
  in_progress: ['completed'],
  completed: ['published'],
  published: [],
};

export function canMove(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses in which the task's definition is frozen (its inputs are committed). */
export const FROZEN: TaskStatus[] = ['committed', 'drawn', 'in_progress', 'completed', 'published'];

/** The official style: 渝中区市场监督管理局2027年度第3号抽查任务 */
export function officialTaskName(organizationName: string, year: number, number: number): string {
  return `${organizationName}${year}年度第${number}号抽查任务`;
}

export function officialPlanTitle(organizationName: string, year: number): string {
  return `${organizationName}${year}年度双随机抽查计划`;
}

export interface PlanDefaults {
  rates: Partial<Record<Stratum, string>>;
  yearlyCap: number | null;
  lookbackDays: number | null;
  disclosureMinimumRate: string;
  disclosureMatterPattern: string;
  publicationWorkingDays: number;
  abnormalFollowUpWorkingDays: number;
  approachingWorkingDays: number;
}

export interface MatterInfo {
  code: string;
  name: string;
  importance: 'key' | 'general';
  ratioCap: number | null;
}

export interface RatioCheckInput {
  matters: MatterInfo[];
  /** Per stratum: eligible entities N_S and target x_S of the task (from the draw's own rules). */
  strata: { stratum: Stratum; eligible: number; target: Rational }[];
  /** Enterprises among the eligible entities and their expected selections (for the 3% rule). */
  enterprises: { eligible: number; expected: Rational };
  defaults: Pick<PlanDefaults, 'disclosureMinimumRate' | 'disclosureMatterPattern'>;
}

export interface PlanProblem {
  code: string;
  path: string;
  message: string;
}

/**
 * General matters cap the task's overall sampling ratio (expected selected ÷ eligible); key
 * matters have no cap; the enterprise-disclosure spot check must reach at least 3% of enterprises.
 */
export function checkRatios(input: RatioCheckInput): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const eligible = input.strata.reduce((a, s) => a + s.eligible, 0);
  const expected = input.strata.reduce((a, s) => a.add(s.target), Rational.of(0));
  const ratio = eligible > 0 ? expected.div(Rational.of(eligible)) : Rational.of(0);
  for (const m of input.matters) {
    if (m.importance !== 'general' || m.ratioCap === null) continue;
    const cap = Rational.decimal(String(m.ratioCap));
    if (ratio.cmp(cap) > 0) {
      problems.push({
        code: 'GENERAL_MATTER_CAP',
        path: 'selection',
        message: `一般事项 ${m.code}（${m.name}）的抽查比例上限为 ${percent(cap)}，本任务预计抽查 ${percent(ratio)}（${expected.toDecimal(1)} / ${eligible}）；请降低比例，或把该事项放到另一个任务`,
      });
    }
  }
  const disclosure = input.matters.filter((m) => m.name.includes(input.defaults.disclosureMatterPattern));
  if (disclosure.length && input.enterprises.eligible > 0) {
    const min = Rational.decimal(input.defaults.disclosureMinimumRate);
    const share = input.enterprises.expected.div(Rational.of(input.enterprises.eligible));
    if (share.cmp(min) < 0) {
      problems.push({
        code: 'DISCLOSURE_MINIMUM',
        path: 'selection',
        message: `企业公示信息抽查应抽取不少于 ${percent(min)} 的企业，本任务预计只抽 ${percent(share)}（${input.enterprises.expected.toDecimal(1)} / ${input.enterprises.eligible} 户企业）；请提高比例`,
      });
    }
  }
  return problems;
}

export function percent(r: Rational): string {
  return `${r.mul(Rational.of(100)).toDecimal(2)}%`;
}

export { STRATA };

/** The notes of a draft's submit and return events (the task stays 'draft'; its stage is read from the events). */
export const DRAFT_NOTES = { submitted: '提交审批', returned: '退回修改：' } as const;

/** Where a draft stands: being written, submitted for approval, or returned with a comment. */
export type DraftStage = 'writing' | 'submitted' | 'returned';

export function draftStage(events: readonly { from: string | null; to: string; note: string | null }[]): { stage: DraftStage; comment: string | null } {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.from === 'draft' && e.to === 'draft' && e.note === DRAFT_NOTES.submitted) return { stage: 'submitted', comment: null };
    if (e.from === 'draft' && e.to === 'draft' && e.note?.startsWith(DRAFT_NOTES.returned)) return { stage: 'returned', comment: e.note.slice(DRAFT_NOTES.returned.length) };
    if (e.to !== 'draft' || e.from !== 'draft') return { stage: 'writing', comment: null };
  }
  return { stage: 'writing', comment: null };
}
