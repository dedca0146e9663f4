/**
 * Attachments of an inspection result (照片、扫描的笔录和文书): added by a member of the visit's
 * team while the result can still be edited (before it is entered, while it waits for review, or
 * after review returned it), read by whoever may see the assignment (reviewers included).
 *
 * A file is accepted by its content, not by its name or declared type: the first bytes must be
 * those of a JPEG, PNG or PDF, and a declared type or file-name extension that says otherwise is
 * refused. At most ATTACHMENT_MAX_BYTES each and ATTACHMENT_MAX_PER_VISIT per visit. The bytes are
 * kept content-addressed in the attachments folder (ATTACHMENT_DIR) under their SHA-256, which is
 * stored with the row and shown; the rows and their audit entry are written in one transaction.
 *
 * The incoming files (already on disk: an HTTP upload or a console form) become the service's:
 * moved into the folder when accepted, deleted when refused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as repo from '../../db/repositories/attachments.ts';
import * as resultsRepo from '../../db/repositories/results.ts';
import type { Executor } from '../../db/connection.ts';
import { inTransaction } from '../../db/tx.ts';
import { attachmentDir } from '../../config.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { EDITABLE, RESULT_STATUS_LABELS } from '../../domain/results.ts';
import { nowIso } from '../../domain/time.ts';
import type { UserActor } from '../../domain/actor.ts';
import { recordAudit } from '../audit.ts';
import { requireAssignment, requireTeamMember } from './access.ts';
import { submitResult } from './entry.ts';
import { assignmentDetail, attachmentView, type AssignmentDetail, type AttachmentView } from './views.ts';

export type { AttachmentView };

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const ATTACHMENT_MAX_PER_VISIT = 10;
export const ATTACHMENT_MEDIA_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type AttachmentMediaType = (typeof ATTACHMENT_MEDIA_TYPES)[number];
const TYPE_NAMES: Record<AttachmentMediaType, string> = { 'image/jpeg': 'JPEG 图片', 'image/png': 'PNG 图片', 'application/pdf': 'PDF 文件' };
const EXTENSIONS: Record<string, AttachmentMediaType> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.pdf': 'application/pdf' };

/** A file received and on disk, not yet accepted. */
export interface IncomingFile {
  /** Where it is now (a temporary file the service moves or deletes). */
  path: string;
  /** The name it was uploaded with. */
  fileName: string;
  /** The media type the client declared (absent or application/octet-stream: none). */
  declaredType?: string;
}

/** The media type the first bytes show, or null when they are none of JPEG, PNG, PDF. */
export function sniffMediaType(head: Buffer): AttachmentMediaType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 5 && head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

/** A name safe to show and to send back in Content-Disposition: no folders, no control characters, at most 200 characters. */
export function cleanFileName(name: string): string {
  const base = name.replace(/\\/g, '/').split('/').pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return clean || '附件';
}

interface CheckedFile extends IncomingFile {
  fileName: string;
  mediaType: AttachmentMediaType;
  bytes: number;
  sha256: string;
}

const refuse = (status: number, code: string, n: number | null, message: string) =>
  new AppError(status, code, message, [{ path: n === null ? 'body' : `attachments.${n}`, code, message }]);

/** Type (by content), size and hash of one file; throws the refusal (413, 415, 400). `n`: its place in a form, for the problem's path. */
async function checkFile(f: IncomingFile, n: number | null): Promise<CheckedFile> {
  const fileName = cleanFileName(f.fileName);
  const bytes = (await fs.promises.stat(f.path)).size;
  if (bytes === 0) throw refuse(400, 'EMPTY_FILE', n, `附件“${fileName}”是空文件，请重新选择`);
  if (bytes > ATTACHMENT_MAX_BYTES) throw refuse(413, 'PAYLOAD_TOO_LARGE', n, `附件“${fileName}”超过每个 10 MB 的上限；请压缩照片或分页扫描后再上传`);
  const handle = await fs.promises.open(f.path, 'r');
  const head = Buffer.alloc(16);
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const found = sniffMediaType(head);
  if (!found) {
    throw refuse(415, 'ATTACHMENT_TYPE_NOT_ALLOWED', n, `附件“${fileName}”的内容不是 JPEG、PNG 图片或 PDF 文件（按文件内容判断，不看扩展名），不能上传；请拍照（JPEG/PNG）或扫描为 PDF 后再上传`);
  }
  const declared = f.declaredType?.split(';')[0].trim().toLowerCase();
  const byName = EXTENSIONS[path.extname(fileName).toLowerCase()];
  const claimed = declared && declared !== 'application/octet-stream' ? declared : undefined;
  for (const [what, t] of [['声明的类型', claimed], ['扩展名', byName]] as const) {
    if (t !== undefined && t !== found) {
      throw refuse(415, 'ATTACHMENT_TYPE_MISMATCH', n, `附件“${fileName}”的${what}（${t}）与文件内容（${TYPE_NAMES[found]}）不符，不能上传；请检查是否选错了文件`);
    }
  }
  const sha256 = crypto.createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(f.path)
      .on('data', (c) => sha256.update(c))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return { ...f, fileName, mediaType: found, bytes, sha256: sha256.digest('hex') };
}

const removeAll = async (files: readonly { path: string }[]) => {
  await Promise.all(files.map((f) => fs.promises.rm(f.path, { force: true })));
};

/** A new path for an incoming file, in the attachments folder (so that accepting it is a rename). */
export function incomingPath(): string {
  const dir = path.join(attachmentDir(), 'incoming');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${Date.now()}-${crypto.randomBytes(8).toString('hex')}`);
}

/**
 * Throws unless `who` may add `adding` files to the visit now (the same checks addAttachments
 * makes): adapters call it before reading an upload's body, so an outsider's file is never read.
 */
export async function checkMayAttach(db: Executor, who: UserActor, visitId: string, adding = 1): Promise<void> {
  await requireAttachable(db, who, visitId, adding);
}

/** Who may add to the visit's attachments now: a team member, the notice served, the result editable (or not entered yet). */
async function requireAttachable(db: Executor, who: UserActor, visitId: string, adding: number) {
  const v = await requireAssignment(db, who, visitId);
  requireTeamMember(who, v);
  if (!v.notified_at) throw new ConflictError('尚未向被检查主体送达检查通知书，不能上传检查附件', 'NOT_NOTIFIED');
  const r = await resultsRepo.findResultOfVisit(db, visitId);
  if (r && !EDITABLE.includes(r.status)) throw new ConflictError(`检查结果${RESULT_STATUS_LABELS[r.status]}，不能再添加附件`, 'RESULT_LOCKED');
  const have = await repo.countAttachments(db, visitId);
  if (have + adding > ATTACHMENT_MAX_PER_VISIT) {
    throw new AppError(400, 'TOO_MANY_ATTACHMENTS', `每次检查最多 ${ATTACHMENT_MAX_PER_VISIT} 个附件：已有 ${have} 个，本次又选了 ${adding} 个`, [
      { path: 'attachments', code: 'TOO_MANY_ATTACHMENTS', message: `最多还能添加 ${Math.max(0, ATTACHMENT_MAX_PER_VISIT - have)} 个` },
    ]);
  }
  return v;
}

/** Checks every file; on the first refusal every incoming file is deleted. */
async function checkAll(files: readonly IncomingFile[], numbered: boolean): Promise<CheckedFile[]> {
  try {
    const out: CheckedFile[] = [];
    for (const [i, f] of files.entries()) out.push(await checkFile(f, numbered ? i : null));
    return out;
  } catch (e) {
    await removeAll(files);
    throw e;
  }
}

/** Moves the checked files into the folder under their hash; returns the names this call created (to undo). */
async function place(files: readonly CheckedFile[]): Promise<string[]> {
  const dir = attachmentDir();
  await fs.promises.mkdir(dir, { recursive: true });
  const created: string[] = [];
  for (const f of files) {
    const dest = path.join(dir, f.sha256);
    if (fs.existsSync(dest)) {
      await fs.promises.rm(f.path, { force: true });
      continue;
    }
    try {
      await fs.promises.rename(f.path, dest);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await fs.promises.copyFile(f.path, dest);
      await fs.promises.rm(f.path, { force: true });
    }
    created.push(f.sha256);
  }
  return created;
}

/** After a failed transaction: deletes the files this call placed that no row refers to. */
async function unplace(db: Executor, created: readonly string[]): Promise<void> {
  for (const name of created) {
    if ((await repo.countStored(db, name)) === 0) await fs.promises.rm(path.join(attachmentDir(), name), { force: true });
  }
}

/** Writes the rows of placed files and their audit entry (inside the caller's transaction). */
async function writeRows(trx: Executor, who: UserActor, visitId: string, files: readonly CheckedFile[], at: Date): Promise<repo.AttachmentRow[]> {
  const now = nowIso(at);
  const rows = files.map((f) => ({
    id: crypto.randomUUID(),
    visit_id: visitId,
    file_name: f.fileName,
    media_type: f.mediaType,
    bytes: f.bytes,
    sha256: f.sha256,
    stored_name: f.sha256,
    uploaded_by: who.name,
    uploaded_at: now,
  }));
  for (const row of rows) await repo.insertAttachment(trx, row);
  await recordAudit(
    trx,
    {
      actor: who.name,
      action: 'result.attach',
      entity: 'visit',
      entityId: visitId,
      before: null,
      after: { attachments: rows.map((r) => ({ id: r.id, fileName: r.file_name, mediaType: r.media_type, bytes: r.bytes, sha256: r.sha256 })) },
      note: `上传检查附件 ${rows.length} 个`,
    },
    at,
  );
  return rows;
}

/** Places the files, then runs `write` in one transaction; undoes the placing when it fails. */
async function store<T>(db: Executor, files: readonly CheckedFile[], write: (trx: Executor) => Promise<T>): Promise<T> {
  let created: string[] = [];
  try {
    created = await place(files);
    return await inTransaction(db, write);
  } catch (e) {
    await removeAll(files);
    await unplace(db, created).catch(() => undefined);
    throw e;
  }
}

/** Adds files to the visit's attachments (a team member, while the result can be edited). */
export async function addAttachments(db: Executor, who: UserActor, visitId: string, files: readonly IncomingFile[]): Promise<AttachmentView[]> {
  if (!files.length) throw new ValidationError('没有收到附件文件', [{ path: 'attachments', code: 'NO_FILE', message: '请选择要上传的照片或扫描件' }], 'NO_FILE');
  try {
    await requireAttachable(db, who, visitId, files.length);
  } catch (e) {
    await removeAll(files);
    throw e;
  }
  const checked = await checkAll(files, files.length > 1);
  const at = who.now ?? new Date();
  const rows = await store(db, checked, async (trx) => {
    await requireAttachable(trx, who, visitId, checked.length); // again, inside the transaction
    return writeRows(trx, who, visitId, checked, at);
  });
  return rows.map(attachmentView);
}

/**
 * Enters (or edits) the result and adds its attachments in one transaction: a result the rules
 * refuse stores no attachment, and a refused attachment stores no result. The input is the
 * API's result body (submitResult).
 */
export async function submitResultWithAttachments(
  db: Executor,
  who: UserActor,
  visitId: string,
  input: unknown,
  files: readonly IncomingFile[],
): Promise<{ created: boolean; assignment: AssignmentDetail; attachments: AttachmentView[] }> {
  if (!files.length) {
    const r = await submitResult(db, who, visitId, input);
    return { ...r, attachments: [] };
  }
  try {
    await requireAttachable(db, who, visitId, files.length);
  } catch (e) {
    await removeAll(files);
    throw e;
  }
  const checked = await checkAll(files, true);
  const at = who.now ?? new Date();
  const { created, rows } = await store(db, checked, async (trx) => {
    const r = await submitResult(trx, who, visitId, input);
    const written = await writeRows(trx, who, visitId, checked, at);
    if ((await repo.countAttachments(trx, visitId)) > ATTACHMENT_MAX_PER_VISIT) {
      throw new AppError(400, 'TOO_MANY_ATTACHMENTS', `每次检查最多 ${ATTACHMENT_MAX_PER_VISIT} 个附件`);
    }
    return { created: r.created, rows: written };
  });
  const v = (await resultsRepo.findVisit(db, visitId))!;
  return { created, assignment: await assignmentDetail(db, v), attachments: rows.map(attachmentView) };
}

/** The visit's attachments, for whoever may see the assignment. */
export async function listAttachments(db: Executor, who: UserActor, visitId: string): Promise<AttachmentView[]> {
  await requireAssignment(db, who, visitId);
  return (await repo.attachmentsOf(db, visitId)).map(attachmentView);
}

/** One attachment with the path of its bytes, for whoever may see the assignment; 404 otherwise. */
export async function readAttachment(db: Executor, who: UserActor, visitId: string, attachmentId: string): Promise<AttachmentView & { file: string }> {
  await requireAssignment(db, who, visitId);
  const a = /^[0-9a-f-]{36}$/i.test(attachmentId) ? await repo.findAttachment(db, visitId, attachmentId) : undefined;
  const file = a ? path.join(attachmentDir(), a.stored_name) : '';
  if (!a || !fs.existsSync(file)) throw new NotFoundError(`本次检查没有编号为 ${attachmentId} 的附件`, 'ATTACHMENT_NOT_FOUND');
  return { ...attachmentView(a), file };
}
