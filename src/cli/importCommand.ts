/** `double-random import <kind> <file> [--skip-invalid]`: a thin adapter over importFile. */
import cliProgress from 'cli-progress';
import type { DbHandle } from '../db/connection.ts';
import { IMPORT_KIND_LABELS, type ImportKind } from '../domain/columns.ts';
import { importFile, type ImportReport } from '../services/imports/importFile.ts';

const PHASE_LABELS = { reading: '读取', checking: '校验', writing: '写入', done: '完成' } as const;

export async function runImport(handle: DbHandle, kind: ImportKind, file: string, skipInvalid: boolean): Promise<number> {
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: `导入${IMPORT_KIND_LABELS[kind]} |{bar}| {percentage}% | {rows} 行 | {phase}`,
      stream: process.stderr,
      noTTYOutput: !interactive,
      notTTYSchedule: 5000,
      hideCursor: interactive,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const report = await importFile(handle, {
    kind,
    file,
    skipInvalid,
    actor: { name: process.env.USER ?? 'cli' },
    onProgress: (p) => {
      const total = Math.max(p.totalBytes, 1);
      if (!started) {
        bar.start(total, 0, { rows: 0, phase: PHASE_LABELS[p.phase] });
        started = true;
      }
      bar.update(p.phase === 'reading' ? p.bytesRead : total, { rows: p.rowsRead, phase: PHASE_LABELS[p.phase] });
    },
  }).finally(() => started && bar.stop());
  printReport(report);
  return report.written ? 0 : 1;
}

export function printReport(r: ImportReport): void {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const mode = r.mode === 'strict' ? '严格模式' : '跳过无效行模式（--skip-invalid）';
  out(`文件：${r.file}（表头在第 ${r.headerRow} 行，${mode}）`);
  if (r.ignoredColumns.length) out(`未识别、已忽略的列：${r.ignoredColumns.join('、')}`);
  out(`读取 ${r.rowsRead} 行：新增 ${r.inserted}，更新 ${r.updated}，未变 ${r.unchanged}，拒绝 ${r.rejectedRows}`);
  if (r.problemCount > 0) {
    const kinds = Object.entries(r.problemCounts).map(([k, n]) => `${k} ${n} 个`).join('，');
    out(`发现 ${r.problemCount} 个问题（${kinds}）${r.problemCount > r.problems.length ? `，以下是前 ${r.problems.length} 个` : ''}：`);
    for (const p of r.problems) out(`  第 ${p.row} 行${p.column ? `【${p.column}】` : ''}：${p.message} (${p.code})`);
    if (r.reportFile) out(`全部问题见：${r.reportFile}`);
  }
  if (r.rejectsFile) out(`被拒绝的行及原因已写入：${r.rejectsFile}`);
  if (!r.written) out('未写入任何数据 (IMPORT_REJECTED)：请修正以上问题后重新导入，或使用 --skip-invalid 只导入有效行。');
  else out('导入完成。');
}
