/**
 * What an upload of a registry file must pass before it becomes an import job, one copy for the
 * API (POST /api/v1/{kind}/import) and the console's upload form (/console/imports): who may
 * upload each kind, the safe file name made of the user's name for the file, and the report and
 * rejects files a finished job serves for download (only from inside the uploads folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DbHandle } from '../../db/connection.ts';
import { IMPORT_KINDS, type ImportKind } from '../../domain/columns.ts';
import { WRITERS, type Role, type UserActor } from '../../domain/actor.ts';
import { AppError, ForbiddenError, NotFoundError } from '../../domain/errors.ts';
import { formatShanghai } from '../../domain/time.ts';
import type { Logger } from '../../logger.ts';
import { getImportJob, uploadsFolder } from './importJobs.ts';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MEDIA_TYPE = 'text/csv';
/** What Excel on Windows often declares for a .csv file. */
export const EXCEL_CSV_MEDIA_TYPE = 'application/vnd.ms-excel';
export const UPLOAD_MEDIA_TYPES = [CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, EXCEL_CSV_MEDIA_TYPE, 'application/octet-stream'] as const;
/** The largest file an import accepts over HTTP (API and console). */
export const UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * Who may upload each kind: the roles of the single-record routes. Each row is then checked
 * against the uploader's department scope by the registry service, as a single record is.
 */
export const IMPORT_ACCESS: Record<ImportKind, readonly Role[]> = {
  objects: WRITERS,
  inspectors: WRITERS,
  departments: ['admin'],
  matters: WRITERS,
  conflicts: WRITERS,
  inspections: WRITERS,
  violations: ['admin'],
};

/** The kinds a role may import, in the usual order. */
export function importKindsFor(role: Role | undefined): ImportKind[] {
  return role ? IMPORT_KINDS.filter((k) => IMPORT_ACCESS[k].includes(role)) : [...IMPORT_KINDS];
}

/** Refuses an upload of a kind the account's role may not import (403, as the API's route access). */
export function assertMayImport(user: UserActor, kind: ImportKind): void {
  if (!IMPORT_ACCESS[kind].includes(user.role)) {
    throw new ForbiddenError(`当前账号（${user.role}）无权执行此操作；允许的角色：${IMPORT_ACCESS[kind].join('、')}`, 'FORBIDDEN_ROLE');
  }
}

/** The extension a declared media type stands for, when no file name is given. */
const EXTENSION_OF: Record<string, string> = { [CSV_MEDIA_TYPE]: '.csv', [EXCEL_CSV_MEDIA_TYPE]: '.csv', [XLSX_MEDIA_TYPE]: '.xlsx' };

/** Longest file-name stem kept, in UTF-8 bytes (file systems allow 255 bytes per name). */
const MAX_STEM_BYTES = 150;

function truncateUtf8(s: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}

/**
 * The user's name for the file, made safe to use inside a file name: no folders, no control
 * characters, not too long, with the extension that decides the format (.csv or .xlsx). Without
 * a name the declared media type decides; with neither, the user must say.
 */
export function importFileName(filename: string | undefined, mediaType: string): string {
  if (filename === undefined || filename === '') {
    const ext = EXTENSION_OF[mediaType];
    if (!ext) {
      const message = `无法判断文件格式：请在地址中加上原文件名，如 ?filename=名录.xlsx（以 .csv 或 .xlsx 结尾），或把 Content-Type 设为 text/csv 或 ${XLSX_MEDIA_TYPE}；收到的 Content-Type 是 ${mediaType}`;
      throw new AppError(400, 'FILENAME_REQUIRED', message, [{ path: 'query.filename', code: 'FILENAME_REQUIRED', message }]);
    }
    return `上传文件${ext}`;
  }
  const base = (filename.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  // '.csv' alone is a name path.extname would not see.
  const ext = /\.(csv|xlsx)$/i.exec(base)?.[0].toLowerCase();
  if (!ext) {
    const message = `“${truncateUtf8(base, 100)}”不是 CSV 或 XLSX 文件：文件名须以 .csv 或 .xlsx 结尾（.xls 文件请先在 Excel 中另存为 .xlsx）`;
    throw new AppError(400, 'FILE_TYPE', message, [{ path: 'file', code: 'FILE_TYPE', message }]);
  }
  const stem = truncateUtf8(base.slice(0, base.length - ext.length).trim(), MAX_STEM_BYTES);
  return `${stem || '上传文件'}${ext}`;
}

// ---------------------------------------------------------------------------- downloads

/**
 * Opens a file the job row names, only if it really is a file inside the uploads folder (after
 * resolving links): the row is written by our own worker, but a path is never served unchecked.
 */
async function openInsideUploads(file: string, logger: Logger): Promise<fs.promises.FileHandle | undefined> {
  if (!path.isAbsolute(file)) return undefined;
  const [root, real] = await Promise.all([
    fs.promises.realpath(uploadsFolder).catch(() => undefined),
    fs.promises.realpath(file).catch(() => undefined),
  ]);
  if (!root || !real) return undefined;
  const rel = path.relative(root, real);
  if (!rel || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    logger.warn({ file }, 'import job names a file outside the uploads folder; not served');
    return undefined;
  }
  const handle = await fs.promises.open(real, 'r').catch(() => undefined);
  if (handle && !(await handle.stat()).isFile()) {
    await handle.close();
    return undefined;
  }
  return handle;
}

export type ImportDownloadKind = 'report' | 'rejects';

const DOWNLOADS: Record<ImportDownloadKind, { what: string; field: 'reportFile' | 'rejectsFile'; code: string; absent: string }> = {
  report: {
    what: '问题报告',
    field: 'reportFile',
    code: 'REPORT_NOT_FOUND',
    absent: '该导入任务没有问题报告：任务尚未结束，或文件中没有发现问题',
  },
  rejects: {
    what: '拒绝文件',
    field: 'rejectsFile',
    code: 'REJECTS_NOT_FOUND',
    absent: '该导入任务没有拒绝文件：只有跳过无效行模式（?skipInvalid=true）且有被拒绝的行时才有',
  },
};

export interface ImportDownload {
  /** The open file (the caller streams and closes it). */
  file: fs.promises.FileHandle;
  /** The download's name: the uploaded file's stem with .report.csv or .rejects.csv. */
  filename: string;
  asciiFilename: string;
}

/**
 * A finished job's problem report or rejects file (UTF-8 CSV with BOM), if `user` may see the job
 * (getImportJob: its owner or an administrator); 404 with the reason otherwise.
 */
export async function openImportDownload(handle: DbHandle, id: string, kind: ImportDownloadKind, user: UserActor | undefined, logger: Logger): Promise<ImportDownload> {
  const d = DOWNLOADS[kind];
  const job = await getImportJob(handle, id, user);
  if (job.filesExpiredAt && job.report?.[d.field]) {
    throw new NotFoundError(`该导入任务的${d.what}已按保留期限于 ${formatShanghai(job.filesExpiredAt)} 删除；如仍需要，请重新上传文件`, 'IMPORT_FILES_EXPIRED');
  }
  const stored = job.report?.[d.field];
  const file = typeof stored === 'string' ? await openInsideUploads(stored, logger) : undefined;
  if (!file) throw new NotFoundError(typeof stored === 'string' ? `该导入任务的${d.what}已不在服务器上` : d.absent, d.code);
  const stem = job.fileName.replace(/\.[^.]+$/, '');
  return { file, filename: `${stem}.${kind}.csv`, asciiFilename: `import-${job.id.slice(0, 8)}.${kind}.csv` };
}
