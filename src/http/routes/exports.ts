/** Downloads of the two registries: GET /api/v1/objects/export and /api/v1/inspectors/export. */
import { shanghaiDate } from '../../domain/time.ts';
import { EXPORT_CONTENT_TYPES, exportRegistryToStream, type ExportKind } from '../../services/exports.ts';
import { defineOperation, type Operation, type StreamReply, WRITERS } from '../operation.ts';
import { ExportQuery } from '../schemas.ts';
import { CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE } from './imports.ts';

const LABELS: Record<ExportKind, string> = { objects: '检查对象名录', inspectors: '执法检查人员名录' };

function exportOperation(kind: ExportKind): Operation {
  return defineOperation({
    method: 'get',
    path: `/api/v1/${kind}/export`,
    operationId: kind === 'objects' ? 'exportObjects' : 'exportInspectors',
    access: WRITERS,
    tag: kind,
    summary: `导出${LABELS[kind]}（XLSX 或 CSV 文件）`,
    description:
      '表头和用词与导入相同（中文），导出的文件可原样再导入。XLSX 中统一社会信用代码、执法证号等为文本单元格，日期为日期单元格；' +
      'CSV 为 UTF-8 带 BOM（Excel 可正确显示中文，但双击打开时会把全数字的长代码变成科学计数法，需在 Excel 中编辑的请用 XLSX）。' +
      `文件名形如 ${kind}-2026-11-28.xlsx（北京时间的当天日期）。`,
    query: ExportQuery,
    responses: {
      200: { description: `${LABELS[kind]}文件（按 format 为 XLSX 或 CSV）`, download: { mediaTypes: [XLSX_MEDIA_TYPE, CSV_MEDIA_TYPE] } },
    },
    async handle({ db, query }): Promise<StreamReply> {
      const format = query.format;
      return {
        contentType: EXPORT_CONTENT_TYPES[format],
        filename: `${kind}-${shanghaiDate()}.${format}`,
        stream: (out) => exportRegistryToStream(db, kind, format, out),
      };
    },
  });
}

export const exportOperations: Operation[] = [exportOperation('objects'), exportOperation('inspectors')];
