/**
 * Imports over HTTP, as jobs: POST /api/v1/{kind}/import takes the file itself as the request body,
 * stores it under data/imports/ and answers 202 at once; a worker thread imports it (the server
 * keeps answering meanwhile) and GET /api/v1/imports/{id} reports progress and, at the end, the
 * result. The full problem report and the rejected rows download as CSV files.
 */
import { pipeline } from 'node:stream/promises';
import { IMPORT_KINDS, IMPORT_KIND_LABELS, type ImportKind } from '../../domain/columns.ts';
import { getImportJob, startImportJob, uploadPath, type ImportJob } from '../../services/imports/importJobs.ts';
import {
  CSV_MEDIA_TYPE, IMPORT_ACCESS, importFileName, openImportDownload, UPLOAD_LIMIT_BYTES, UPLOAD_MEDIA_TYPES, XLSX_MEDIA_TYPE, type ImportDownloadKind,
} from '../../services/imports/importAccess.ts';
import { defineOperation, type Operation, type StreamReply, WRITERS } from '../operation.ts';
import {
  ImportAccepted, ImportJobParams, ImportJobView, ImportQuery, IMPORT_JOB_PHASES, IMPORT_JOB_STATUSES,
} from '../schemas.ts';
import { formatBytes } from '../upload.ts';
import type { z } from 'zod';

// Who may upload what, the safe file name and the downloads are one copy for the API and the console.
export { CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, EXCEL_CSV_MEDIA_TYPE, UPLOAD_MEDIA_TYPES, UPLOAD_LIMIT_BYTES } from '../../services/imports/importAccess.ts';

const tag = 'imports';

const jobUrl = (id: string) => `/api/v1/imports/${encodeURIComponent(id)}`;

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
      const originalName = importFileName(query.filename, upload.mediaType);
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

function downloadOperation(kind: ImportDownloadKind): Operation {
  const what = kind === 'report' ? '问题报告' : '拒绝文件';
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
    responses: { 200: { description: `${what}（UTF-8 带 BOM 的 CSV）`, download: { mediaTypes: [CSV_MEDIA_TYPE] } } },
    errors: [404],
    async handle({ params, deps, user }): Promise<StreamReply> {
      const d = await openImportDownload(deps.handle, params.id, kind, user, deps.logger);
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: d.filename,
        asciiFilename: d.asciiFilename,
        stream: (out) => pipeline(d.file.createReadStream(), out),
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
