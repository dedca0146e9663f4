/** The whole draw as one pure function of the canonical files and the working seed. */
import { sha256Hex } from './hash.ts';
import { parseCanonicalFiles, type CanonicalFiles } from './canonical.ts';
import { selectObjects, type SelectionOutcome } from './select.ts';
import { assignTeams, type TeamOutcome } from './teams.ts';
import { seedHash } from './tickets.ts';

export interface DrawComputation {
  seedHash: string;
  selection: SelectionOutcome;
  teams: TeamOutcome;
  /** result.csv (§10), or null when a department is short of officers. */
  resultCsv: string | null;
  resultDigest: string | null;
}

export function resultCsvOf(selection: SelectionOutcome, teams: string[][]): string {
  return resultCsvOfRows(selection.selected.map((s, i) => ({ rank: i + 1, uscc: s.uscc, ticket: s.ticket, team: teams[i] })));
}

/** result.csv (§10) from its rows. */
export function resultCsvOfRows(rows: { rank: number; uscc: string; ticket: string; team: string[] }[]): string {
  return ['rank,uscc,ticket,team', ...rows.map((r) => `${r.rank},${r.uscc},${r.ticket},${r.team.join(';')}`)].map((l) => `${l}\n`).join('');
}

export function computeDraw(files: CanonicalFiles, workingSeed: string): DrawComputation {
  const inputs = parseCanonicalFiles(files, { withCommitments: false });
  const hash = seedHash(workingSeed);
  const selection = selectObjects(inputs.params, inputs.frame, inputs.history, hash);
  const teams = assignTeams(
    selection.selected.map((s) => s.uscc),
    { departments: inputs.params.departments, officers: inputs.officers, conflicts: inputs.conflicts, history: inputs.history },
    hash,
  );
  const ok = Object.keys(teams.shortfalls).length === 0;
  const resultCsv = ok ? resultCsvOf(selection, teams.teams) : null;
  return { seedHash: hash, selection, teams, resultCsv, resultDigest: resultCsv === null ? null : sha256Hex(resultCsv) };
}
