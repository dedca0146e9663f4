/**
 * What staff take away from a drawn task: the drawn list with entity names and addresses and the
 * teams by officer name (抽查名单, 检查组名单), on screen and as XLSX files. Staff only, within the
 * task's scope (the public sees the published, privacy-reduced form on the public site).
 */
import ExcelJS from 'exceljs';
import type { Executor } from '../db/connection.ts';
import * as objectsRepo from '../db/repositories/objects.ts';
import * as inspectorsRepo from '../db/repositories/inspectors.ts';
import * as referenceRepo from '../db/repositories/reference.ts';
import { assertRole, STAFF, type Actor } from '../domain/actor.ts';
import { ConflictError } from '../domain/errors.ts';
import { formatShanghai } from '../domain/time.ts';
import * as draws from './draws.ts';
import * as scope from './scope.ts';

export interface DrawnMember {
  certificateNo: string;
  name: string;
  department: string;
  departmentName: string;
}

export interface DrawnEntity {
  rank: number;
  uscc: string;
  name: string;
  street: string | null;
  address: string | null;
  entityType: string | null;
  team: DrawnMember[];
}

export interface DrawnList {
  task: { id: string; name: string; window: { start: string; end: string } };
  draw: { id: string; commitment: string; drawnAt: string | null; randomnessSource: string; resultDigest: string | null };
  entities: DrawnEntity[];
}

async function inChunks<T>(keys: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += 500) out.push(...(await fetch(keys.slice(i, i + 500))));
  return out;
}

/** The task's drawn entities in rank order, with names, addresses and teams by officer name. */
export async function drawnList(db: Executor, taskId: string, viewer: Actor): Promise<DrawnList> {
  assertRole(viewer, STAFF);
  const task = await scope.requireTask(db, viewer, taskId);
  if (!task.draw_id) throw new ConflictError(`任务“${task.name}”还没有抽取结果`, 'TASK_NOT_DRAWN');
  const d = await draws.getDraw(db, task.draw_id);
  if (d.status !== 'drawn') throw new ConflictError(`任务“${task.name}”的抽取尚未执行（当前：${d.status}）`, 'TASK_NOT_DRAWN');
  const selections = await draws.drawSelections(db, task.draw_id);
  const usccs = selections.map((s) => s.uscc);
  const certs = [...new Set(selections.flatMap((s) => s.team))];
  const objects = new Map((await inChunks(usccs, (c) => objectsRepo.objectsByUscc(db, c))).map((o) => [o.uscc, o]));
  const officers = new Map((await inChunks(certs, (c) => inspectorsRepo.inspectorsByCertificate(db, c))).map((i) => [i.certificate_no, i]));
  const departments = new Map((await referenceRepo.listDepartments(db)).map((x) => [x.code, x.name]));
  return {
    task: { id: task.id, name: task.name, window: { start: task.window_start, end: task.window_end } },
    draw: { id: d.id, commitment: d.commitment, drawnAt: d.drawnAt, randomnessSource: d.randomnessSource, resultDigest: d.resultDigest },
    entities: selections.map((s) => {
      const o = objects.get(s.uscc);
      return {
        rank: s.rank,
        uscc: s.uscc,
        name: o?.name ?? s.uscc,
        street: o?.street ?? null,
        address: o?.address ?? null,
        entityType: o?.entity_type ?? null,
        team: s.team.map((c) => {
          const i = officers.get(c);
          return { certificateNo: c, name: i?.name ?? c, department: i?.department_code ?? '', departmentName: departments.get(i?.department_code ?? '') ?? i?.department_code ?? '' };
        }),
      };
    }),
  };
}

function styledSheet(wb: ExcelJS.Workbook, name: string, title: string, sub: string, headers: { header: string; width: number }[]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 3 }], pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  ws.columns = headers.map((h) => ({ width: h.width }));
  ws.mergeCells(1, 1, 1, headers.length);
  ws.getCell(1, 1).value = title;
  ws.getCell(1, 1).font = { bold: true, size: 14 };
  ws.getCell(1, 1).alignment = { horizontal: 'center' };
  ws.mergeCells(2, 1, 2, headers.length);
  ws.getCell(2, 1).value = sub;
  const head = ws.getRow(3);
  headers.forEach((h, i) => {
    const c = head.getCell(i + 1);
    c.value = h.header;
    c.font = { bold: true };
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
    c.border = { bottom: { style: 'thin' } };
  });
  return ws;
}

const subtitle = (l: DrawnList) =>
  `检查时间：${l.task.window.start} 至 ${l.task.window.end}；抽取时间：${l.draw.drawnAt ? formatShanghai(l.draw.drawnAt) : '—'}（北京时间）；承诺值：${l.draw.commitment}`;

/** 抽查名单: one row per drawn entity. */
export async function drawnListXlsx(l: DrawnList): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'double-random';
  const ws = styledSheet(wb, '抽查名单', `${l.task.name} 抽查名单`, subtitle(l), [
    { header: '序号', width: 6 },
    { header: '统一社会信用代码', width: 22 },
    { header: '主体名称', width: 36 },
    { header: '街道', width: 12 },
    { header: '地址', width: 40 },
    { header: '检查组成员', width: 40 },
  ]);
  for (const e of l.entities) ws.addRow([e.rank, e.uscc, e.name, e.street ?? '', e.address ?? '', e.team.map((m) => `${m.name}（${m.departmentName}）`).join('、')]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** 检查组名单: one row per team member of each drawn entity's team. */
export async function teamsXlsx(l: DrawnList): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'double-random';
  const ws = styledSheet(wb, '检查组名单', `${l.task.name} 检查组名单`, subtitle(l), [
    { header: '检查组', width: 8 },
    { header: '被检查主体', width: 36 },
    { header: '统一社会信用代码', width: 22 },
    { header: '执法人员', width: 12 },
    { header: '所属部门', width: 20 },
    { header: '执法证号', width: 20 },
  ]);
  for (const e of l.entities) for (const m of e.team) ws.addRow([e.rank, e.name, e.uscc, m.name, m.departmentName, m.certificateNo]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
