/**
 * The violation-type vocabulary (违法行为类型): the codes a non-compliant finding may carry. It is
 * every violationType the exemption lists know (any version: a past list's type still names past
 * violations), with the list item's wording, plus the common types of data/violation-types.json
 * that no list covers. A finding with a code outside it is refused (UNKNOWN_VIOLATION_TYPE), so a
 * typo never silently reads as "the list does not apply". Pure.
 */
import type { Problem } from './errors.ts';
import type { ExemptionList } from './lists.ts';

export interface ViolationType {
  code: string;
  /** Chinese wording (the newest list item's, else the file's). */
  name: string;
  /** 'list': on at least one exemption list; 'common': only in data/violation-types.json. */
  source: 'list' | 'common';
  /** The exemption list versions that hold it (oldest first). */
  lists: string[];
  department: string | null;
}

/** Lists first (a later version's wording replaces an earlier one's), then the file; sorted by source then code. */
export function buildVocabulary(lists: readonly ExemptionList[], common: readonly { code: string; name: string; department?: string }[]): ViolationType[] {
  const byCode = new Map<string, ViolationType>();
  const ordered = [...lists].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
  for (const l of ordered) {
    for (const item of l.items) {
      const had = byCode.get(item.violationType);
      byCode.set(item.violationType, {
        code: item.violationType,
        name: item.violation,
        source: 'list',
        lists: [...(had?.lists ?? []), l.version],
        department: had?.department ?? null,
      });
    }
  }
  for (const c of common) {
    const had = byCode.get(c.code);
    if (had) had.department ??= c.department ?? null;
    else byCode.set(c.code, { code: c.code, name: c.name, source: 'common', lists: [], department: c.department ?? null });
  }
  return [...byCode.values()].sort((a, b) => (a.source !== b.source ? (a.source === 'list' ? -1 : 1) : a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** One problem per finding whose violationType is not in the vocabulary (path findings.N.violationType). */
export function unknownViolationTypes(findings: readonly { violationType?: string }[], known: ReadonlySet<string>): Problem[] {
  const out: Problem[] = [];
  findings.forEach((f, i) => {
    if (f.violationType === undefined || known.has(f.violationType)) return;
    out.push({
      path: `findings.${i}.violationType`,
      code: 'UNKNOWN_VIOLATION_TYPE',
      message:
        `违法行为类型 ${f.violationType} 不在违法行为类型代码表中：请从 GET /api/v1/violation-types 列出的代码中选择；` +
        '确属新的类型的，由管理员加入 data/violation-types.json（或相应的免罚清单）后重新启动服务',
    });
  });
  return out;
}
