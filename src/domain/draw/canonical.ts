/**
 * The six canonical files, the manifest and the commitment (docs/draw-algorithm.md §3), and
 * their parsing back into draw inputs. The draw always runs from these files, never from the
 * live registry, so later registry changes cannot change it.
 */
import { sha256Hex, hmacSha256Hex } from './hash.ts';
import { byteOrder, canonicalJson } from '../canonicalJson.ts';
import { STRATA, type DrawParams, type Stratum } from './params.ts';
import type { FrameEntity, HistoryRow } from './select.ts';
import type { OfficerInput } from './teams.ts';

export const FILE_NAMES = ['conflicts.csv', 'frame.csv', 'history.csv', 'inspectors.csv', 'params.json', 'strata.csv'] as const;
export type FileName = (typeof FILE_NAMES)[number];
export type CanonicalFiles = Record<FileName, string>;
/** Files a public bundle carries in full; the others only by digest. */
export const PUBLIC_FILES: FileName[] = ['frame.csv', 'params.json'];

const HEADERS: Record<Exclude<FileName, 'params.json'>, string> = {
  'conflicts.csv': 'certificate_no,uscc',
  'frame.csv': 'uscc,grade_commitment',
  'history.csv': 'uscc,date,department,officers',
  'inspectors.csv': 'certificate_no,department,capacity',
  'strata.csv': 'uscc,stratum,salt',
};

export class CanonicalFormatError extends Error {}

/** A field value that a canonical CSV can hold without quoting. */
export function assertPlainField(value: string, what: string): string {
  if (/[,";\r\n]/.test(value)) throw new CanonicalFormatError(`${what}“${value}”含有逗号、引号、分号或换行，不能用于抽取`);
  return value;
}

/** Header + data lines sorted in byte order, deduplicated, LF after every line. */
export function csvFile(name: Exclude<FileName, 'params.json'>, lines: string[]): string {
  // Inputs usually arrive sorted (the frame is read in key order): sort only when they are not.
  let sorted = true;
  for (let i = 1; i < lines.length && sorted; i++) if (byteOrder(lines[i - 1], lines[i]) > 0) sorted = false;
  const ordered = sorted ? lines : [...lines].sort(byteOrder);
  const unique = ordered.filter((l, i) => i === 0 || l !== ordered[i - 1]);
  return `${HEADERS[name]}\n${unique.length ? `${unique.join('\n')}\n` : ''}`;
}

export function gradeCommitment(uscc: string, stratum: Stratum, salt: string): string {
  return sha256Hex(`double-random-grade/1|${uscc}|${stratum}|${salt}`);
}

/**
 * Salts are opaque to verifiers (§3): the regulator derives one key per draw from its secret,
 * and each entity's salt from that key, so it can reproduce any single entity's opening.
 */
export function gradeSaltKey(secret: string, paramsJson: string): string {
  return hmacSha256Hex(secret, `grade-salt/1|${sha256Hex(paramsJson)}`);
}

export function gradeSalt(saltKey: string, uscc: string): string {
  return sha256Hex(`${saltKey}|${uscc}`);
}

export interface CommitInputs {
  params: DrawParams;
  frame: FrameEntity[];
  officers: OfficerInput[];
  conflicts: { certificateNo: string; uscc: string }[];
  history: HistoryRow[];
}

/** Builds the canonical files; salts come from the regulator's secret key. */
export function buildCanonicalFiles(inputs: CommitInputs, secret: string): CanonicalFiles {
  const paramsJson = `${canonicalJson(inputs.params)}\n`;
  const frameLines: string[] = [];
  const strataLines: string[] = [];
  const saltKey = gradeSaltKey(secret, paramsJson);
  for (const e of inputs.frame) {
    assertPlainField(e.uscc, '统一社会信用代码');
    const salt = gradeSalt(saltKey, e.uscc);
    frameLines.push(`${e.uscc},${gradeCommitment(e.uscc, e.stratum, salt)}`);
    strataLines.push(`${e.uscc},${e.stratum},${salt}`);
  }
  return {
    'params.json': paramsJson,
    'frame.csv': csvFile('frame.csv', frameLines),
    'strata.csv': csvFile('strata.csv', strataLines),
    'inspectors.csv': csvFile(
      'inspectors.csv',
      inputs.officers.map((o) => `${assertPlainField(o.certificateNo, '执法证号')},${assertPlainField(o.department, '部门代码')},${Math.max(0, o.capacity)}`),
    ),
    'conflicts.csv': csvFile('conflicts.csv', inputs.conflicts.map((c) => `${assertPlainField(c.certificateNo, '执法证号')},${c.uscc}`)),
    'history.csv': csvFile(
      'history.csv',
      inputs.history.map(
        (h) => `${h.uscc},${h.date},${assertPlainField(h.department, '部门')},${[...new Set(h.officers)].map((o) => assertPlainField(o, '执法证号')).sort(byteOrder).join(';')}`,
      ),
    ),
  };
}

export function manifestOf(files: Partial<CanonicalFiles>, digests: Partial<Record<FileName, string>> = {}): string {
  return FILE_NAMES.map((name) => {
    const content = files[name];
    const digest = content !== undefined ? sha256Hex(content) : digests[name];
    if (!digest) throw new CanonicalFormatError(`manifest needs ${name} or its digest`);
    return `${digest}  ${name}\n`;
  }).join('');
}

export function commitmentOf(manifest: string): string {
  return sha256Hex(manifest);
}

/** Digests listed in a manifest. */
export function parseManifest(manifest: string): Record<FileName, string> {
  const out = {} as Record<FileName, string>;
  for (const line of manifest.split('\n')) {
    if (!line) continue;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m || !(FILE_NAMES as readonly string[]).includes(m[2])) throw new CanonicalFormatError(`manifest line not understood: ${line}`);
    out[m[2] as FileName] = m[1];
  }
  for (const n of FILE_NAMES) if (!out[n]) throw new CanonicalFormatError(`manifest lacks ${n}`);
  return out;
}

function rows(content: string, name: Exclude<FileName, 'params.json'>): string[][] {
  return dataLinesOf(content, name).map((l) => l.split(','));
}

export interface ParsedInputs extends CommitInputs {
  /** uscc → grade commitment, from frame.csv. */
  gradeCommitments: Map<string, string>;
  /** uscc → salt, from strata.csv (full level only). */
  salts: Map<string, string>;
}

export function parseParams(files: Pick<CanonicalFiles, 'params.json'>): DrawParams {
  return JSON.parse(files['params.json']) as DrawParams;
}

/** The data lines of a canonical CSV file (header checked, last LF required). */
function dataLinesOf(content: string, name: Exclude<FileName, 'params.json'>): string[] {
  const header = HEADERS[name];
  if (!content.startsWith(`${header}\n`)) throw new CanonicalFormatError(`${name}: header is not "${header}"`);
  if (!content.endsWith('\n')) throw new CanonicalFormatError(`${name}: the last line must end with LF`);
  const body = content.slice(header.length + 1, -1);
  return body ? body.split('\n') : [];
}

/**
 * Parses the full set of canonical files into draw inputs. The grade commitments and salts are
 * collected only for verification (`withCommitments`); the draw itself does not read them.
 */
export function parseCanonicalFiles(files: CanonicalFiles, opts: { withCommitments?: boolean } = {}): ParsedInputs {
  const withCommitments = opts.withCommitments ?? true;
  const params = parseParams(files);
  const frameLines = dataLinesOf(files['frame.csv'], 'frame.csv');
  const strataLines = dataLinesOf(files['strata.csv'], 'strata.csv');
  if (frameLines.length !== strataLines.length) throw new CanonicalFormatError('frame.csv and strata.csv list different entities');
  const frame: FrameEntity[] = new Array(frameLines.length);
  const gradeCommitments = new Map<string, string>();
  const salts = new Map<string, string>();
  // Both files are sorted by USCC (their lines start with it): walk them side by side.
  for (let i = 0; i < frameLines.length; i++) {
    const f = frameLines[i];
    const t = strataLines[i];
    const comma = f.indexOf(',');
    const uscc = f.slice(0, comma);
    if (!t.startsWith(`${uscc},`) || t.length < comma + 3 || t[comma + 2] !== ',') throw new CanonicalFormatError(`strata.csv line ${i + 2} is not for ${uscc}`);
    const stratum = t[comma + 1] as Stratum;
    if (!(STRATA as readonly string[]).includes(stratum)) throw new CanonicalFormatError(`strata.csv: unknown stratum ${stratum} for ${uscc}`);
    frame[i] = { uscc, stratum };
    if (withCommitments) {
      gradeCommitments.set(uscc, f.slice(comma + 1));
      salts.set(uscc, t.slice(comma + 3));
    }
  }
  return {
    params,
    frame,
    gradeCommitments,
    salts,
    officers: rows(files['inspectors.csv'], 'inspectors.csv').map(([certificateNo, department, capacity]) => ({
      certificateNo,
      department,
      capacity: Number(capacity),
    })),
    conflicts: rows(files['conflicts.csv'], 'conflicts.csv').map(([certificateNo, uscc]) => ({ certificateNo, uscc })),
    history: rows(files['history.csv'], 'history.csv').map(([uscc, date, department, officers]) => ({
      uscc,
      date,
      department,
      officers: officers ? officers.split(';') : [],
    })),
  };
}
