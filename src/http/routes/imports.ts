/**
 * Imports over HTTP, as jobs: POST /api/v1/{kind}/import takes the file itself as the request body,
 * stores it under data/imports/ and answers 202 at once; a worker thread imports it (the server
 * keeps answering meanwhile) and GET /api/v1/imports/{id} reports progress and, at the end, the
 * result. The full problem report and the rejected rows download as CSV files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IMPORT_KINDS, IMPORT_KIND_LABELS, type ImportKind } from '../../domain/columns.ts';
import { AppError, NotFoundError } from '../../domain/errors.ts';
import type { Logger } from '../../logger.ts';
import { getImportJob, startImportJob, uploadPath, uploadsFolder, type ImportJob } from '../../services/imports/importJobs.ts';
import { defineOperation, type Operation, type StreamReply, WRITERS } from '../operation.ts';
import type { Role } from '../../services/accounts.ts';
import { formatShanghai } from '../../domain/time.ts';
import {
  ImportAccepted, ImportJobParams, ImportJobView, ImportQuery, IMPORT_JOB_PHASES, IMPORT_JOB_STATUSES,
} from '../schemas.ts';
import { formatBytes } from '../upload.ts';
import type { z } from 'zod';

const tag = 'imports';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MEDIA_TYPE = 'text/csv';
/** What Excel on Windows often declares for a .csv file. */
export const EXCEL_CSV_MEDIA_TYPE = 'application/vnd.ms-excel';
export const UPLOAD_MEDIA_TYPES = [CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, EXCEL_CSV_MEDIA_TYPE, 'application/octet-stream'] as const;
/** The largest file an import accepts over HTTP. */
export const UPLOAD_LIMIT_BYTES = 512 * 1024 * 1024;

/** The extension a declared media type stands for, when ?filename= is not given. */
const EXTENSION_OF: Record<string, string> = { [CSV_MEDIA_TYPE]: '.csv', [EXCEL_CSV_MEDIA_TYPE]: '.csv', [XLSX_MEDIA_TYPE]: '.xlsx' };

const jobUrl = (id: string) => `/api/v1/imports/${encodeURIComponent(id)}`;

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
 * characters, not too long, with the extension that decides the format. ?filename= wins; without
 * it the declared media type decides; with neither, the client must say.
 */
function originalNameOf(filename: string | undefined, mediaType: string): string {
  if (filename === undefined) {
    const ext = EXTENSION_OF[mediaType];
    if (!ext) {
      const message = `无法判断文件格式：请在地址中加上原文件名，如 ?filename=名录.xlsx（以 .csv 或 .xlsx 结尾），或把 Content-Type 设为 text/csv 或 ${XLSX_MEDIA_TYPE}；收到的 Content-Type 是 ${mediaType}`;
      throw new AppError(400, 'FILENAME_REQUIRED', message, [{ path: 'query.filename', code: 'FILENAME_REQUIRED', message }]);
    }
    return `上传文件${ext}`;
  }
  const base = (filename.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  // The query schema has checked the extension; '.csv' alone is a name path.extname would not see.
  const ext = /\.(csv|xlsx)$/i.exec(base)?.[0].toLowerCase() ?? '';
  const stem = truncateUtf8(base.slice(0, base.length - ext.length).trim(), MAX_STEM_BYTES);
  return `${stem || '上传文件'}${ext}`;
}

/**
 * Who may upload each kind: the roles of the single-record routes. Each row is then checked
 * against the uploader's department scope by the registry service, as a single record is.
 */
const IMPORT_ACCESS: Record<ImportKind, readonly Role[]> = {
  objects: WRITERS,
  inspectors: WRITERS,
  departments: ['admin'],
  matters: WRITERS,
  conflicts: WRITERS,
  inspections: WRITERS,
  violations: ['admin'],
};

function importOperation(kind: ImportKind): Operation {
  const label = IMPORT_KIND_LABELS[kind];
  return defineOperation({
    method: 'post',
    path: `/api/v1/${kind}/import`,
    operationId: `import${kind[0].toUpperCase()}${kind.slice(1)}`,
    access: IMPORT_ACCESS[kind],
    tag,
    summary: `导入${label}（CSV 或 XLSX 文件）`,
    description:
      `请求体为文件本身（不是表单，也不是 JSON），如 curl --data-binary @名录.xlsx -H 'Content-Type: ${XLSX_MEDIA_TYPE}' '…/api/v1/${kind}/import?filename=名录.xlsx'。` +
      'CSV 可为 UTF-8（可带 BOM）或 GB18030/GBK（Excel 另存的 CSV），自动识别；XLSX 可在表头上方有标题行；表头可用中文或英文。' +
      '文件收下后立即返回 202，导入在后台进行：按 Location（statusUrl）查询进度和结果。' +
      '默认严格模式：有任何一行有误则不写入任何数据，结果中逐行列出问题；?skipInvalid=true 时写入有效行，无效行可下载。' +
      '按统一社会信用代码、执法证号等重复导入时更新已有记录，空单元格不改动已有的值。' +
      '每一行都按上传者的角色和部门范围检查（与逐条修改相同）：超出范围的行被拒绝并逐行列出。导入任务只有上传者本人和管理员可见。',
    query: ImportQuery,
    upload: {
      mediaTypes: UPLOAD_MEDIA_TYPES,
      maxBytes: UPLOAD_LIMIT_BYTES,
      description: `${label}文件本身：CSV（text/csv）或 XLSX；最大 ${formatBytes(UPLOAD_LIMIT_BYTES)}。application/octet-stream 时须用 ?filename= 给出原文件名`,
    },
    responses: { 202: { description: '已收下文件，导入任务排队中', schema: ImportAccepted, location: true } },
    async handle({ query, upload, user, deps }) {
      const originalName = originalNameOf(query.filename, upload.mediaType);
      const file = uploadPath(originalName);
      await upload.saveTo(file);
      // From here the file is the job's: the service deletes it when the job ends.
      const job = await startImportJob(deps.handle, { kind, file, originalName, skipInvalid: query.skipInvalid, user: user! }, deps.workers);
      const statusUrl = jobUrl(job.id);
      return { status: 202, body: { id: job.id, status: 'queued', statusUrl }, location: statusUrl };
    },
  });
}

// ---------------------------------------------------------------------------- the job's view

type Job = ImportJob;
type JobView = z.output<typeof ImportJobView>;

function phaseOf(job: Job): JobView['phase'] {
  if (job.status === 'queued') return 'queued';
  const phase = (IMPORT_JOB_PHASES as readonly string[]).find((p) => p === job.phase);
  if (phase) return phase as JobView['phase'];
  return job.status === 'failed' ? 'failed' : job.status === 'succeeded' ? 'done' : 'reading';
}

/** The job as the API shows it: no server paths, links to the downloads instead. */
function jobView(job: Job): JobView {
  const r = job.report;
  const report = r
    ? {
        mode: r.mode,
        written: r.written,
        fileSha256: r.fileSha256,
        headerRow: r.headerRow,
        ignoredColumns: r.ignoredColumns,
        rowsRead: r.rowsRead,
        inserted: r.inserted,
        updated: r.updated,
        unchanged: r.unchanged,
        rejectedRows: r.rejectedRows,
        problemCount: r.problemCount,
        problemCounts: r.problemCounts,
        problems: r.problems,
        reportUrl: r.reportFile && !job.filesExpiredAt ? `${jobUrl(job.id)}/report` : null,
        rejectsUrl: r.rejectsFile && !job.filesExpiredAt ? `${jobUrl(job.id)}/rejects` : null,
      }
    : null;
  return {
    id: job.id,
    kind: job.kind,
    status: (IMPORT_JOB_STATUSES as readonly string[]).includes(job.status) ? job.status : 'failed',
    phase: phaseOf(job),
    fileName: job.fileName,
    skipInvalid: job.skipInvalid,
    rowsRead: job.rowsRead,
    inserted: job.inserted,
    updated: job.updated,
    rejected: job.rejected,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    filesExpiredAt: job.filesExpiredAt,
    report,
    error: job.failure,
  };
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

type DownloadKind = 'report' | 'rejects';

const DOWNLOADS: Record<DownloadKind, { what: string; field: 'reportFile' | 'rejectsFile'; code: string; absent: string }> = {
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

function downloadOperation(kind: DownloadKind): Operation {
  const d = DOWNLOADS[kind];
  return defineOperation({
    method: 'get',
    path: `/api/v1/imports/{id}/${kind}`,
    operationId: kind === 'report' ? 'importReport' : 'importRejects',
    access: WRITERS,
    tag,
    summary:
      kind === 'report'
        ? '下载导入的问题报告（全部问题：行号、列、错误代码、说明；CSV）'
        : '下载被拒绝的行（原样，另加行号和拒绝原因；CSV，可修正后再导入）',
    params: ImportJobParams,
    responses: { 200: { description: `${d.what}（UTF-8 带 BOM 的 CSV）`, download: { mediaTypes: [CSV_MEDIA_TYPE] } } },
    errors: [404],
    async handle({ params, deps, user }): Promise<StreamReply> {
      const job = await getImportJob(deps.handle, params.id, user);
      if (job.filesExpiredAt && job.report?.[d.field]) {
        throw new NotFoundError(`该导入任务的${d.what}已按保留期限于 ${formatShanghai(job.filesExpiredAt)} 删除；如仍需要，请重新上传文件`, 'IMPORT_FILES_EXPIRED');
      }
      const file = job.report?.[d.field];
      const handle = typeof file === 'string' ? await openInsideUploads(file, deps.logger) : undefined;
      if (!handle) throw new NotFoundError(typeof file === 'string' ? `该导入任务的${d.what}已不在服务器上` : d.absent, d.code);
      const stem = job.fileName.replace(/\.[^.]+$/, '');
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: `${stem}.${kind}.csv`,
        asciiFilename: `import-${job.id.slice(0, 8)}.${kind}.csv`,
        stream: (out) => pipeline(handle.createReadStream(), out),
      };
    },
  });
}

export const importOperations: Operation[] = [
  ...IMPORT_KINDS.map(importOperation),
  defineOperation({
    method: 'get',
    path: '/api/v1/imports/{id}',
    operationId: 'getImportJob',
    access: WRITERS,
    tag,
    summary: '查询导入任务的状态、进度和结果',
    description: '只有上传者本人和管理员可以查看。排队（queued）和导入中（running）时请稍后再查；结束后（succeeded、failed）report 中有导入结果和逐行问题。',
    params: ImportJobParams,
    responses: { 200: { description: '导入任务', schema: ImportJobView } },
    errors: [404],
    async handle({ params, deps, user }) {
      return { body: jobView(await getImportJob(deps.handle, params.id, user)) };
    },
  }),
  downloadOperation('report'),
  downloadOperation('rejects'),
];
