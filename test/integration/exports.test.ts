import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { createTestDb, testDialect, type TestDb } from '../helpers/db.ts';
import { exportRegistry, exportRegistryToStream } from '../../src/services/exports.ts';
import { upsertDepartment, upsertInspector, upsertMatter, upsertObject } from '../../src/services/registry.ts';
import { COLUMNS, headerMap, type ImportKind } from '../../src/domain/columns.ts';
import { parseInspectorRow, parseObjectRow, type Cell, type InspectorPatch, type ObjectPatch } from '../../src/domain/records.ts';
import { USCC_ALPHABET, withCheckCharacter } from '../../src/domain/uscc.ts';
import { ValidationError } from '../../src/domain/errors.ts';
import { inspectorPages, objectPages } from '../../src/db/repositories/exportQueries.ts';

const ctx = { name: 'test', now: new Date('2026-11-28T02:00:00Z') };

/** An enterprise USCC of digits only, check character included (what Excel turns into a number). */
function allDigitUscc(): string {
  for (let n = 100000000; ; n++) {
    const code = withCheckCharacter(`91500103${n}`);
    if (/^\d{18}$/.test(code)) return code;
  }
}

function letterUscc(kind: '1' | '2', body: string): string {
  expect([...body].every((c) => USCC_ALPHABET.includes(c))).toBe(true);
  return withCheckCharacter(`9${kind}500103${body}`);
}

const DIGITS = allDigitUscc();
const UNRATED = letterUscc('2', 'MA5UQ7K3X');
const GRADED = letterUscc('1', 'MA60L2N8R');

const OBJECTS: ObjectPatch[] = [
  {
    uscc: DIGITS,
    name: '重庆鑫达餐饮管理有限公司',
    entityType: 'enterprise',
    industryCode: 'H6210',
    street: '解放碑',
    address: '渝中区民族路168号, 附2号',
    registeredOn: '2009-06-18',
    legalRepresentative: '李建华',
    registrationStatus: 'active',
    creditGrade: 'A',
    gradedOn: '2026-03-31',
    sectorGrade: 'B',
    tags: ['食品经营', '特种设备使用单位'],
  },
  {
    uscc: UNRATED,
    name: '渝中区“老街坊”小面馆',
    entityType: 'individual',
    industryCode: 'H6220',
    street: '七星岗',
    address: '渝中区中山一路12号附3号',
    registeredOn: '2026-10-09',
    legalRepresentative: '谭秀英',
    registrationStatus: 'active',
    tags: ['食品经营'],
  },
  {
    uscc: GRADED,
    name: '重庆恒泰网络科技有限公司',
    entityType: 'enterprise',
    industryCode: 'I6513',
    street: '化龙桥',
    address: '渝中区龙隐路2号',
    registeredOn: '2016-02-29',
    legalRepresentative: '周敏',
    registrationStatus: 'deregistered',
    creditGrade: 'D',
    gradedOn: '2026-07-31',
    tags: [],
  },
];

const INSPECTORS: InspectorPatch[] = [
  {
    certificateNo: '500103012023014',
    name: '王静',
    department: 'SCJG',
    validFrom: '2023-04-01',
    validTo: '2028-03-31',
    qualifications: ['SCJG-01', 'SCJG-02'],
    kind: 'officer',
    status: 'active',
    yearlyCapacity: 80,
  },
  {
    certificateNo: 'FZ50010301002',
    name: '冉红',
    department: 'SCJG',
    qualifications: ['SCJG-01'],
    kind: 'auxiliary',
    status: 'on_leave',
    yearlyCapacity: 40,
  },
];

const headers = (kind: ImportKind) => COLUMNS[kind].map((c) => c.headers[0]);

/** Rows of a sheet or CSV as import cells keyed by field, the way the importer reads them. */
function asCells(kind: ImportKind, head: string[], rows: Cell[][]): Record<string, Cell>[] {
  const map = headerMap(kind);
  const fields = head.map((h) => map.get(h)!);
  return rows.map((r) => Object.fromEntries(fields.map((f, i) => [f, r[i] ?? null])));
}

function reimportedObjects(cells: Record<string, Cell>[]): ObjectPatch[] {
  return cells.map((c) => {
    const r = parseObjectRow(c);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  });
}

function reimportedInspectors(cells: Record<string, Cell>[]): InspectorPatch[] {
  return cells.map((c) => {
    const r = parseInspectorRow(c);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    return r.value;
  });
}

/** What a re-import of an exported patch yields: blank cells are absent, an empty tag list too. */
function expectedPatch(p: ObjectPatch): ObjectPatch {
  const out: ObjectPatch = { ...p };
  if (out.tags && out.tags.length === 0) delete out.tags;
  return out;
}

const byKey = <T>(items: T[], key: (t: T) => string) => new Map(items.map((i) => [key(i), i]));

async function readXlsx(file: string | Buffer) {
  const wb = new ExcelJS.Workbook();
  if (typeof file === 'string') await wb.xlsx.readFile(file);
  else await wb.xlsx.load(file as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const rows: ExcelJS.Row[] = [];
  ws.eachRow((row) => rows.push(row));
  const values = (row: ExcelJS.Row) => (row.values as Cell[]).slice(1);
  return { ws, head: values(rows[0]) as string[], body: rows.slice(1), values };
}

describe(`registry exports (${testDialect})`, () => {
  let t: TestDb;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDb();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-export-'));
    await upsertDepartment(t.db, { code: 'SCJG', name: '渝中区市场监督管理局' }, ctx);
    await upsertMatter(t.db, { code: 'SCJG-01', department: 'SCJG', name: '企业公示信息抽查', importance: 'key' }, ctx);
    for (const o of OBJECTS) await upsertObject(t.db, o, ctx);
    for (const i of INSPECTORS) await upsertInspector(t.db, i, ctx);
  });

  afterAll(async () => {
    await t?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports objects to CSV: UTF-8 with BOM, Chinese headers and words, re-importable unchanged', async () => {
    const file = path.join(dir, '检查对象.csv');
    expect(await exportRegistry(t.db, 'objects', file)).toEqual({ rows: OBJECTS.length });
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes, { bom: true }) as string[][];
    expect(records[0]).toEqual(headers('objects'));
    expect(records).toHaveLength(OBJECTS.length + 1);

    const rows = byKey(records.slice(1), (r) => r[0]);
    expect(rows.get(DIGITS)).toEqual([
      DIGITS, '重庆鑫达餐饮管理有限公司', '企业', 'H6210', '解放碑', '渝中区民族路168号, 附2号', '2009-06-18', '李建华',
      '存续', 'A', '2026-03-31', 'B', '食品经营、特种设备使用单位',
    ]);
    // Unrated: grade and its date blank.
    expect(rows.get(UNRATED)!.slice(8, 13)).toEqual(['存续', '', '', '', '食品经营']);
    expect(rows.get(UNRATED)![2]).toBe('个体工商户');
    expect(rows.get(GRADED)![8]).toBe('注销');

    const again = byKey(reimportedObjects(asCells('objects', records[0], records.slice(1))), (p) => p.uscc);
    for (const o of OBJECTS) expect(again.get(o.uscc)).toEqual(expectedPatch(o));
  });

  it('exports objects to XLSX: codes as text cells, dates as date cells, re-importable unchanged', async () => {
    const file = path.join(dir, 'objects.xlsx');
    expect(await exportRegistry(t.db, 'objects', file)).toEqual({ rows: OBJECTS.length });
    const { head, body, values } = await readXlsx(file);
    expect(head).toEqual(headers('objects'));
    expect(body).toHaveLength(OBJECTS.length);

    const rows = byKey(body, (r) => String(r.getCell(1).value));
    const digits = rows.get(DIGITS)!;
    // The all-digit USCC stays a string cell, never a number that loses its last digits.
    expect(digits.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(digits.getCell(1).value).toBe(DIGITS);
    expect(digits.getCell(1).numFmt).toBe('@');
    const registered = digits.getCell(7);
    expect(registered.type).toBe(ExcelJS.ValueType.Date);
    expect(registered.value).toEqual(new Date(Date.UTC(2009, 5, 18)));
    expect(registered.numFmt).toBe('yyyy-mm-dd');
    expect(digits.getCell(11).value).toEqual(new Date(Date.UTC(2026, 2, 31)));
    expect(values(digits).slice(7, 10)).toEqual(['李建华', '存续', 'A']);
    expect(digits.getCell(13).value).toBe('食品经营、特种设备使用单位');

    const unrated = rows.get(UNRATED)!;
    expect(unrated.getCell(2).value).toBe('渝中区“老街坊”小面馆');
    expect(unrated.getCell(10).value).toBeNull();
    expect(unrated.getCell(11).value).toBeNull();

    const again = byKey(reimportedObjects(asCells('objects', head, body.map(values))), (p) => p.uscc);
    for (const o of OBJECTS) expect(again.get(o.uscc)).toEqual(expectedPatch(o));
  });

  it('exports inspectors to CSV and XLSX with department codes and Chinese words', async () => {
    const csvFile = path.join(dir, 'inspectors.csv');
    const xlsxFile = path.join(dir, 'inspectors.XLSX');
    expect(await exportRegistry(t.db, 'inspectors', csvFile)).toEqual({ rows: 2 });
    expect(await exportRegistry(t.db, 'inspectors', xlsxFile)).toEqual({ rows: 2 });

    const bytes = fs.readFileSync(csvFile);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes, { bom: true }) as string[][];
    expect(records[0]).toEqual(headers('inspectors'));
    const csvRows = byKey(records.slice(1), (r) => r[0]);
    expect(csvRows.get('500103012023014')).toEqual([
      '500103012023014', '王静', 'SCJG', '2023-04-01', '2028-03-31', 'SCJG-01、SCJG-02', '执法人员', '在岗', '80',
    ]);
    expect(csvRows.get('FZ50010301002')).toEqual(['FZ50010301002', '冉红', 'SCJG', '', '', 'SCJG-01', '辅助人员', '休假', '40']);

    const { head, body, values } = await readXlsx(xlsxFile);
    expect(head).toEqual(headers('inspectors'));
    const officer = body.find((r) => r.getCell(1).value === '500103012023014')!;
    expect(officer.getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(officer.getCell(4).value).toEqual(new Date(Date.UTC(2023, 3, 1)));
    expect(officer.getCell(4).numFmt).toBe('yyyy-mm-dd');
    expect(officer.getCell(9).value).toBe(80);

    for (const cells of [asCells('inspectors', records[0], records.slice(1)), asCells('inspectors', head, body.map(values))]) {
      const again = byKey(reimportedInspectors(cells), (p) => p.certificateNo);
      for (const i of INSPECTORS) expect(again.get(i.certificateNo)).toEqual(i);
    }
  });

  it('streams both formats to a writable and ends it', async () => {
    const collect = async (format: 'csv' | 'xlsx') => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((resolve) => out.on('end', resolve));
      const result = await exportRegistryToStream(t.db, 'objects', format, out);
      await ended;
      return { result, bytes: Buffer.concat(chunks) };
    };
    const csv = await collect('csv');
    expect(csv.result).toEqual({ rows: OBJECTS.length });
    expect(csv.bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(csv.bytes.toString('utf8')).toContain(DIGITS);

    const xlsx = await collect('xlsx');
    expect(xlsx.result).toEqual({ rows: OBJECTS.length });
    expect(xlsx.bytes.subarray(0, 2).toString()).toBe('PK');
    const { body } = await readXlsx(xlsx.bytes);
    expect(body.map((r) => r.getCell(1).value).sort()).toEqual(OBJECTS.map((o) => o.uscc).sort());
  });

  it('rejects, without hanging, when the output fails part-way', async () => {
    for (const format of ['csv', 'xlsx'] as const) {
      let writes = 0;
      const failing = new Writable({
        write(_chunk, _enc, cb) {
          cb(writes++ > 0 ? new Error('磁盘已满') : null);
        },
      });
      await expect(exportRegistryToStream(t.db, 'objects', format, failing)).rejects.toThrow('磁盘已满');
    }
  });

  it('refuses other extensions, naming the allowed ones, and writes nothing', async () => {
    const file = path.join(dir, 'objects.xls');
    const err = await exportRegistry(t.db, 'objects', file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('EXPORT_FORMAT');
    expect((err as ValidationError).message).toContain('.csv');
    expect((err as ValidationError).message).toContain('.xlsx');
    expect(fs.existsSync(file)).toBe(false);
    await expect(exportRegistry(t.db, 'objects', path.join(dir, 'objects'))).rejects.toBeInstanceOf(ValidationError);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('reads the registries in keyset pages, in key order, each row once', async () => {
    const pages: string[][] = [];
    for await (const page of objectPages(t.db, 2)) pages.push(page.map((r) => r.uscc));
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    const all = pages.flat();
    expect([...all].sort()).toEqual(OBJECTS.map((o) => o.uscc).sort());
    expect(new Set(all).size).toBe(all.length);
    const inspectorsSeen: string[] = [];
    for await (const page of inspectorPages(t.db, 1)) inspectorsSeen.push(...page.map((r) => r.certificate_no));
    expect(inspectorsSeen.sort()).toEqual(INSPECTORS.map((i) => i.certificateNo).sort());
  });

  it('an empty registry exports the headers only', async () => {
    const empty = await createTestDb();
    try {
      const file = path.join(dir, 'empty.csv');
      expect(await exportRegistry(empty.db, 'inspectors', file)).toEqual({ rows: 0 });
      expect(parse(fs.readFileSync(file), { bom: true })).toEqual([headers('inspectors')]);
    } finally {
      await empty.destroy();
    }
  });
});
