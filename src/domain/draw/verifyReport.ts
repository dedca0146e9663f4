/**
 * What `verify` prints, in Simplified Chinese, for the CLI (`double-random verify`) and the
 * standalone verifier the public site offers (`/verify/double-random-verify.mjs`): one source, so
 * both say the same. Pure: the lines go to `out`; the exit code is returned (0 verified, 1 not).
 */
import type { DrawBundle } from './bundle.ts';
import { verifyBundle, type Opening } from './verify.ts';
import { formatShanghai } from '../time.ts';

export function printVerification(bundle: DrawBundle, opts: { commitment?: string; opening?: Opening }, out: (line: string) => void): number {
  const r = verifyBundle(bundle, { expectedCommitment: opts.commitment, opening: opts.opening });
  const levelName = r.level === 'full' ? '完整包（全部重算）' : '公开包';
  // The first line says what the check is worth: without the commitment published before the
  // randomness, a wholly re-forged bundle is as consistent as an honest one.
  if (!opts.commitment) {
    out('注意 (COMMITMENT_NOT_CHECKED)：未用 --commitment 核对事先公布的承诺值，以下只能证明本包内部自洽，不能证明抽取结果没有被整体重做；请加上 --commitment <抽取前公布的承诺值> 再验证');
  }
  const voided = bundle?.draw?.voided ?? null;
  if (voided) out(`注意 (DRAW_VOIDED)：本次抽取已于 ${formatShanghai(voided.at)} 作废，理由：${voided.reason}；其结果不再有效（作废状态由发布方记载，不在承诺值和结果摘要的覆盖范围内）`);
  for (const c of r.checked) out(`✓ ${c}`);
  if (r.opening) {
    out(`✓ ${r.opening.uscc} 的等级承诺打开正确（${r.opening.stratum} 层）：${r.opening.selected ? '被抽中' : '未被抽中'}，与签号 ${r.opening.ticket.slice(0, 14)}… 和该层截止签号一致`);
  }
  if (r.ok) {
    out(`验证通过 (VERIFIED)：${levelName}${opts.commitment ? '，承诺值与事先公布的一致' : '（未核对事先公布的承诺值：仅内部自洽）'}${voided ? '；本次抽取已作废' : ''}`);
    return 0;
  }
  out(`✗ 验证失败 (VERIFY_FAILED，${levelName})：${r.difference}`);
  return 1;
}
