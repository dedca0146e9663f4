/**
 * Console pages of the registries (名录库): objects and inspectors (search, filter, page, one
 * record with its history, edit, create, export), departments and matters, and imports (upload
 * form, the job's progress and result, the problem report and rejects downloads). Every page
 * calls the services the API's routes call, with the same role lists (STAFF reads, WRITERS
 * write and export, IMPORT_ACCESS per import kind) and the same input schemas, so a form is
 * refused exactly where the API would refuse the same request.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Router } from 'express';
import type { z } from 'zod';
import { STAFF, WRITERS } from '../../domain/actor.ts';
import { IMPORT_KINDS, type ImportKind } from '../../domain/columns.ts';
import { AppError, ValidationError } from '../../domain/errors.ts';
import { splitList } from '../../domain/registry.ts';
import { shanghaiDate } from '../../domain/time.ts';
import { EXPORT_CONTENT_TYPES, exportRegistryToStream, type ExportKind } from '../../services/exports.ts';
import {
  assertMayImport, importFileName, importKindsFor, openImportDownload, UPLOAD_LIMIT_BYTES, type ImportDownloadKind,
} from '../../services/imports/importAccess.ts';
import { getImportJob, listImportJobs, startImportJob, uploadPath, uploadsFolder } from '../../services/imports/importJobs.ts';
import {
  addAbnormalListing, createInspector, createObject, declareConflict, getInspector, getObject, listDepartments, listInspectors,
  listMatters, listObjects, objectHistory, removeAbnormalListing, resolveDepartment, updateInspector, updateObject, upsertDepartment, upsertMatter,
} from '../../services/registry.ts';
import { assertInspectorWrite } from '../../services/scope.ts';
import { html } from '../../web/html.ts';
import { importJobPage, importsPage, progressBlock, finished } from '../../web/console/pages/imports.ts';
import {
  inspectorPage, inspectorsPage, objectPage, objectsPage, referencePage, type InspectorFilterValues, type ObjectFilterValues,
} from '../../web/console/pages/registry.ts';
import { attachmentHeader } from '../operation.ts';
import { problemsFromZod, summarize } from '../problems.ts';
import {
  AbnormalListingBody, AbnormalRemovalBody, ConflictBody, DepartmentBody, ExportQuery, MatterBody, InspectorCreateBody, InspectorListQuery, InspectorPatchBody,
  ObjectCreateBody, ObjectListQuery, ObjectPatchBody,
} from '../schemas.ts';
import { formatBytes } from '../upload.ts';
import { errorBox, paging, route, sendConsolePage, type ConsoleContext, type ConsoleDeps } from './kit.ts';

const PAGE_SIZE = 50;

// ---------------------------------------------------------------------------- helpers

/** Parses form or query input with the API's schema; its problems become a 400 as in the API. */
function parseWith<S extends z.ZodType>(schema: S, data: unknown, location: 'body' | 'query' = 'body'): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const problems = problemsFromZod(r.error, location, schema as never, data);
  throw new ValidationError(summarize(problems), problems);
}

/** Query values without the empty ones (a form's blank filter means "no filter", as in the API). */
function nonEmpty(o: object): Record<string, string> {
  return Object.fromEntries(Object.entries(o as Record<string, string>).filter(([, v]) => v !== ''));
}

/**
 * Runs a form's use case; a refusal for scope or role (403) is answered with a 403 page, as the
 * API answers, instead of the kit's redirect back to the form. Uploaded files are removed.
 */
async function forbiddenAsPage(ctx: ConsoleContext, back: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 403) throw err;
    for (const f of ctx.files) fs.rmSync(f.path, { force: true });
    ctx.render('无权操作', html`<h1>无权操作</h1>${errorBox(err)}<p>未做任何修改。<a href="${back}">返回</a></p>`, { status: 403 });
  }
}

const may = (ctx: ConsoleContext, roles: readonly string[]) => roles.includes(ctx.user.role);

/** A text field, only when it differs from the stored value (a form sends every field). */
function changed(ctx: ConsoleContext, out: Record<string, unknown>, name: string, stored: string | null | undefined): void {
  const v = ctx.field(name);
  if (v !== '' && v !== (stored ?? '')) out[name] = v;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const OBJECT_TEXT_FIELDS = ['name', 'entityType', 'industryCode', 'street', 'address', 'registeredOn', 'legalRepresentative', 'registrationStatus', 'creditGrade', 'sectorGrade'] as const;

async function streamRegistry(ctx: ConsoleContext, kind: ExportKind): Promise<void> {
  const { format } = parseWith(ExportQuery, nonEmpty({ format: ctx.query('format', 10) }), 'query');
  ctx.res.status(200).set({
    'Content-Type': EXPORT_CONTENT_TYPES[format],
    'Content-Disposition': attachmentHeader(`${kind}-${shanghaiDate()}.${format}`),
    'Cache-Control': 'no-store',
  });
  await exportRegistryToStream(ctx.deps.handle.db, kind, format, ctx.res);
}

// ---------------------------------------------------------------------------- routes

export function registerRegistry(router: Router, deps: ConsoleDeps): void {
  registerObjects(router, deps);
  registerInspectors(router, deps);
  route(router, deps, 'get', '/reference', STAFF, async (ctx) => {
    const departments = await listDepartments(ctx.db);
    const wanted = ctx.query('department', 100);
    const department = wanted && departments.some((d) => d.code === wanted) ? wanted : '';
    const matters = await listMatters(ctx.db, department || undefined);
    const forms = { departments, csrf: ctx.csrf, canDepartments: ctx.user.role === 'admin', canMatters: ctx.user.role === 'admin' || ctx.user.role === 'regulator', ownDepartment: ctx.user.role === 'regulator' ? ctx.user.department : null };
    ctx.render('部门与抽查事项', referencePage({ departments, matters, department, forms }), { current: '/console/reference', crumbs: [{ label: '部门与抽查事项' }] });
  });
  // The same use cases and body schemas as POST /api/v1/matters and /api/v1/departments.
  route(router, deps, 'post', '/reference/matters', WRITERS, async (ctx) => {
    const ratio = ctx.field('ratioCap', 20);
    const data = { ...nonEmpty({ code: ctx.field('code', 64), department: ctx.field('department', 100), name: ctx.field('name', 200), importance: ctx.field('importance', 20), legalBasis: ctx.field('legalBasis', 2000), method: ctx.field('method', 100) }), ...(ratio ? { ratioCap: Number(ratio) } : {}) };
    await forbiddenAsPage(ctx, '/console/reference', async () => {
      const outcome = await upsertMatter(ctx.db, parseWith(MatterBody, data), ctx.user);
      const code = ctx.field('code', 64);
      ctx.redirect('/console/reference', outcome === 'created' ? `已新增抽查事项 ${code}。` : outcome === 'updated' ? `已修改抽查事项 ${code}。` : `抽查事项 ${code} 没有变化。`);
    });
  }, { back: () => '/console/reference' });
  route(router, deps, 'post', '/reference/departments', ['admin'], async (ctx) => {
    const data = nonEmpty({ code: ctx.field('code', 32), name: ctx.field('name', 100) });
    const outcome = await upsertDepartment(ctx.db, parseWith(DepartmentBody, data), ctx.user);
    ctx.redirect('/console/reference', outcome === 'created' ? `已新增部门 ${data.code}。` : `已保存部门 ${data.code}。`);
  }, { back: () => '/console/reference' });
  registerImports(router, deps);
}

function registerObjects(router: Router, deps: ConsoleDeps): void {
  const crumbs = [{ label: '检查对象名录', href: '/console/objects' }];

  route(router, deps, 'get', '/objects', STAFF, async (ctx) => {
    const filters: ObjectFilterValues = {
      q: ctx.query('q', 100),
      grade: ctx.query('grade', 10),
      street: ctx.query('street', 100),
      type: ctx.query('type', 20),
      status: ctx.query('status', 20),
      industry: ctx.query('industry', 10),
      tag: ctx.query('tag', 50),
    };
    const { page, limit, offset } = paging(ctx, PAGE_SIZE);
    let error: AppError | null = null;
    let list: Awaited<ReturnType<typeof listObjects>> = { items: [], total: 0, limit, offset };
    try {
      const q = parseWith(ObjectListQuery, { ...nonEmpty(filters), limit: String(limit), offset: String(offset) }, 'query');
      list = await listObjects(ctx.db, { grade: q.grade, street: q.street, entityType: q.type, status: q.status, industryCode: q.industry, tag: q.tag, q: q.q }, { limit, offset });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      error = err;
    }
    const body = objectsPage({ filters, items: list.items, total: list.total, page, pageSize: PAGE_SIZE, canExport: may(ctx, WRITERS), canWrite: may(ctx, WRITERS), csrf: ctx.csrf, error });
    ctx.render('检查对象名录', body, { current: '/console/objects', crumbs: [{ label: '检查对象名录' }], status: error ? 400 : 200 });
  });

  route(router, deps, 'get', '/objects/export', WRITERS, (ctx) => streamRegistry(ctx, 'objects'));

  route(
    router,
    deps,
    'post',
    '/objects',
    WRITERS,
    async (ctx) => {
      const data: Record<string, unknown> = { uscc: ctx.field('uscc', 40) };
      for (const k of [...OBJECT_TEXT_FIELDS, 'gradedOn'] as const) {
        const v = ctx.field(k);
        if (v !== '') data[k] = v;
      }
      const tags = splitList(ctx.field('tags'));
      if (tags.length) data.tags = tags;
      const created = await createObject(ctx.db, parseWith(ObjectCreateBody, data), ctx.user);
      ctx.redirect(`/console/objects/${created.uscc}`, `已新增检查对象：${created.name}`);
    },
    { back: () => '/console/objects' },
  );

  route(router, deps, 'get', '/objects/:uscc', STAFF, async (ctx) => {
    const uscc = String(ctx.req.params.uscc).trim().toUpperCase().slice(0, 40);
    const [object, history, departments] = await Promise.all([getObject(ctx.db, uscc), objectHistory(ctx.db, uscc), listDepartments(ctx.db)]);
    ctx.render(object.name, objectPage({ object, history, departments, canWrite: may(ctx, WRITERS), csrf: ctx.csrf, today: shanghaiDate() }), {
      current: '/console/objects',
      crumbs: [...crumbs, { label: object.name }],
    });
  });

  const back = (req: { params: Record<string, unknown> }) => `/console/objects/${encodeURIComponent(String(req.params.uscc))}`;

  route(
    router,
    deps,
    'post',
    '/objects/:uscc',
    WRITERS,
    async (ctx) => {
      const uscc = String(ctx.req.params.uscc).trim().toUpperCase().slice(0, 40);
      const stored = await getObject(ctx.db, uscc);
      const patch: Record<string, unknown> = {};
      for (const k of OBJECT_TEXT_FIELDS) changed(ctx, patch, k, stored[k]);
      if (ctx.field('gradedOn') !== '') {
        patch.gradedOn = ctx.field('gradedOn');
        // A date alone re-dates the current grade (as PATCH {creditGrade, gradedOn} does).
        if (patch.creditGrade === undefined && stored.creditGrade) patch.creditGrade = stored.creditGrade;
      }
      const tags = splitList(ctx.field('tags'));
      if (!sameList(tags, stored.tags)) patch.tags = tags;
      if (Object.keys(patch).length === 0) {
        ctx.redirect(`/console/objects/${stored.uscc}`, '没有改动，未做修改。');
        return;
      }
      await forbiddenAsPage(ctx, back(ctx.req), async () => {
        await updateObject(ctx.db, stored.uscc, parseWith(ObjectPatchBody, patch), ctx.user);
        ctx.redirect(`/console/objects/${stored.uscc}`, `已保存修改：${Object.keys(patch).length} 个字段。`);
      });
    },
    { back },
  );

  route(
    router,
    deps,
    'post',
    '/objects/:uscc/abnormal',
    WRITERS,
    async (ctx) => {
      const uscc = String(ctx.req.params.uscc).trim().toUpperCase().slice(0, 40);
      const body = parseWith(AbnormalListingBody, nonEmpty({ listedOn: ctx.field('listedOn', 20), reason: ctx.field('reason', 600) }));
      await addAbnormalListing(ctx.db, uscc, body.listedOn, body.reason, ctx.user);
      ctx.redirect(`/console/objects/${uscc}`, `已列入经营异常名录（${body.listedOn}）。`);
    },
    { back },
  );

  route(
    router,
    deps,
    'post',
    '/objects/:uscc/abnormal/remove',
    WRITERS,
    async (ctx) => {
      const uscc = String(ctx.req.params.uscc).trim().toUpperCase().slice(0, 40);
      const body = parseWith(AbnormalRemovalBody, nonEmpty({ removedOn: ctx.field('removedOn', 20), reason: ctx.field('reason', 600) }));
      // Checked first so that an unknown USCC reads "no such object", as in the API.
      await getObject(ctx.db, uscc);
      await removeAbnormalListing(ctx.db, uscc, body.removedOn, body.reason, ctx.user);
      ctx.redirect(`/console/objects/${uscc}`, `已移出经营异常名录（${body.removedOn}）。`);
    },
    { back },
  );
}

function registerInspectors(router: Router, deps: ConsoleDeps): void {
  const crumbs = [{ label: '执法检查人员名录', href: '/console/inspectors' }];
  const certOf = (ctx: ConsoleContext) => String(ctx.req.params.certificateNo).trim().slice(0, 64);
  const back = (req: { params: Record<string, unknown> }) => `/console/inspectors/${encodeURIComponent(String(req.params.certificateNo))}`;

  route(router, deps, 'get', '/inspectors', STAFF, async (ctx) => {
    const filters: InspectorFilterValues = { q: ctx.query('q', 100), department: ctx.query('department', 100), status: ctx.query('status', 20), kind: ctx.query('kind', 20) };
    const { page, limit, offset } = paging(ctx, PAGE_SIZE);
    const departments = await listDepartments(ctx.db);
    let error: AppError | null = null;
    let list: Awaited<ReturnType<typeof listInspectors>> = { items: [], total: 0, limit, offset };
    try {
      const q = parseWith(InspectorListQuery, { ...nonEmpty(filters), limit: String(limit), offset: String(offset) }, 'query');
      const department = q.department === undefined ? undefined : await resolveDepartment(ctx.db, q.department);
      list = await listInspectors(ctx.db, { department, status: q.status, kind: q.kind, q: q.q }, { limit, offset });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      error = err;
    }
    const body = inspectorsPage({
      filters, items: list.items, total: list.total, page, pageSize: PAGE_SIZE, departments,
      canExport: may(ctx, WRITERS), canWrite: may(ctx, WRITERS), csrf: ctx.csrf, ownDepartment: ctx.user.department ?? null, error,
    });
    ctx.render('执法检查人员名录', body, { current: '/console/inspectors', crumbs: [{ label: '执法检查人员名录' }], status: error ? 400 : 200 });
  });

  route(router, deps, 'get', '/inspectors/export', WRITERS, (ctx) => streamRegistry(ctx, 'inspectors'));

  route(
    router,
    deps,
    'post',
    '/inspectors',
    WRITERS,
    async (ctx) => {
      const data: Record<string, unknown> = { certificateNo: ctx.field('certificateNo', 80) };
      for (const k of ['name', 'department', 'validFrom', 'validTo', 'kind', 'status'] as const) {
        const v = ctx.field(k);
        if (v !== '') data[k] = v;
      }
      const qualifications = splitList(ctx.field('qualifications'));
      if (qualifications.length) data.qualifications = qualifications;
      if (ctx.field('yearlyCapacity') !== '') data.yearlyCapacity = Number(ctx.field('yearlyCapacity', 20));
      await forbiddenAsPage(ctx, '/console/inspectors', async () => {
        const created = await createInspector(ctx.db, parseWith(InspectorCreateBody, data), ctx.user);
        ctx.redirect(`/console/inspectors/${encodeURIComponent(created.certificateNo)}`, `已新增执法检查人员：${created.name}`);
      });
    },
    { back: () => '/console/inspectors' },
  );

  route(router, deps, 'get', '/inspectors/:certificateNo', STAFF, async (ctx) => {
    const [inspector, departments] = await Promise.all([getInspector(ctx.db, certOf(ctx)), listDepartments(ctx.db)]);
    let cannotEdit: string | null = null;
    try {
      assertInspectorWrite(ctx.user, inspector.departmentCode, undefined);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      cannotEdit = err.message;
    }
    ctx.render(inspector.name, inspectorPage({ inspector, departments, cannotEdit, canWrite: may(ctx, WRITERS), csrf: ctx.csrf }), {
      current: '/console/inspectors',
      crumbs: [...crumbs, { label: inspector.name }],
    });
  });

  route(
    router,
    deps,
    'post',
    '/inspectors/:certificateNo',
    WRITERS,
    async (ctx) => {
      const stored = await getInspector(ctx.db, certOf(ctx));
      const patch: Record<string, unknown> = {};
      for (const k of ['name', 'validFrom', 'validTo', 'kind', 'status'] as const) changed(ctx, patch, k, stored[k]);
      changed(ctx, patch, 'department', stored.departmentCode);
      const qualifications = splitList(ctx.field('qualifications'));
      if (!sameList(qualifications, stored.qualifications)) patch.qualifications = qualifications;
      const capacity = ctx.field('yearlyCapacity', 20);
      if (capacity !== '' && capacity !== String(stored.yearlyCapacity)) patch.yearlyCapacity = Number(capacity);
      const to = `/console/inspectors/${encodeURIComponent(stored.certificateNo)}`;
      await forbiddenAsPage(ctx, to, async () => {
        // An unchanged form still passes the scope rule: nobody outside it learns "no change".
        await updateInspector(ctx.db, stored.certificateNo, parseWith(InspectorPatchBody, patch), ctx.user);
        ctx.redirect(to, Object.keys(patch).length ? `已保存修改：${Object.keys(patch).length} 个字段。` : '没有改动，未做修改。');
      });
    },
    { back },
  );

  route(
    router,
    deps,
    'post',
    '/inspectors/:certificateNo/conflicts',
    WRITERS,
    async (ctx) => {
      const certificateNo = certOf(ctx);
      const body = parseWith(ConflictBody, nonEmpty({ uscc: ctx.field('uscc', 40), reason: ctx.field('reason', 600), declaredOn: ctx.field('declaredOn', 20) }));
      const to = `/console/inspectors/${encodeURIComponent(certificateNo)}`;
      await forbiddenAsPage(ctx, to, async () => {
        const outcome = await declareConflict(ctx.db, { ...body, certificateNo }, ctx.user);
        ctx.redirect(to, outcome === 'created' ? `已申报回避：${body.uscc}` : `已更新回避原因：${body.uscc}`);
      });
    },
    { back },
  );
}

// ---------------------------------------------------------------------------- imports

function registerImports(router: Router, deps: ConsoleDeps): void {
  const crumbs = [{ label: '导入名录', href: '/console/imports' }];
  const idOf = (ctx: ConsoleContext) => String(ctx.req.params.id).slice(0, 64);

  route(router, deps, 'get', '/imports', WRITERS, async (ctx) => {
    const jobs = await listImportJobs(ctx.db, ctx.user, { limit: 20 });
    ctx.render('导入名录', importsPage({ kinds: importKindsFor(ctx.user.role), jobs, csrf: ctx.csrf, maxSize: formatBytes(UPLOAD_LIMIT_BYTES) }), {
      current: '/console/imports',
      crumbs: [{ label: '导入名录' }],
    });
  });

  route(
    router,
    deps,
    'post',
    '/imports',
    WRITERS,
    async (ctx) => {
      const kindField = ctx.field('kind', 20);
      if (!(IMPORT_KINDS as string[]).includes(kindField)) {
        throw new ValidationError(`请选择导入内容（收到的是“${kindField}”）`, [{ path: 'kind', code: 'IMPORT_KIND', message: `可选：${importKindsFor(ctx.user.role).join('、')}` }]);
      }
      const kind = kindField as ImportKind;
      await forbiddenAsPage(ctx, '/console/imports', async () => {
        assertMayImport(ctx.user, kind);
        const upload = ctx.files[0];
        if (!upload) throw new AppError(400, 'FILE_REQUIRED', '请选择要导入的 CSV 或 XLSX 文件', [{ path: 'file', code: 'FILE_REQUIRED', message: '请选择文件' }]);
        if (upload.bytes === 0) throw new AppError(400, 'EMPTY_FILE', `文件“${upload.originalName}”是空的`, [{ path: 'file', code: 'EMPTY_FILE', message: '文件是空的' }]);
        const originalName = importFileName(upload.originalName, upload.mediaType);
        const file = uploadPath(originalName);
        await fs.promises.rename(upload.path, file);
        // From here the file is the job's: the service deletes it when the job ends.
        const job = await startImportJob(ctx.deps.handle, { kind, file, originalName, skipInvalid: ctx.field('skipInvalid', 10) === 'true', user: ctx.user }, ctx.deps.workers);
        ctx.redirect(`/console/imports/${job.id}`, `已收到文件“${originalName}”，正在导入。`);
      });
    },
    {
      back: () => '/console/imports',
      upload: {
        fileField: 'file',
        maxBytes: UPLOAD_LIMIT_BYTES,
        target: (i) => {
          fs.mkdirSync(uploadsFolder, { recursive: true });
          return path.join(uploadsFolder, `${Date.now()}-${crypto.randomBytes(6).toString('hex')}-${i}.part`);
        },
      },
    },
  );

  route(router, deps, 'get', '/imports/:id', WRITERS, async (ctx) => {
    const job = await getImportJob(ctx.deps.handle, idOf(ctx), ctx.user);
    ctx.render(`导入任务：${job.fileName}`, importJobPage(job), { current: '/console/imports', crumbs: [...crumbs, { label: job.fileName }] });
  });

  // The progress block alone, for htmx polling; once the job has ended htmx reloads the page.
  route(router, deps, 'get', '/imports/:id/progress', WRITERS, async (ctx) => {
    const job = await getImportJob(ctx.deps.handle, idOf(ctx), ctx.user);
    if (finished(job.status) && ctx.req.get('HX-Request') === 'true') ctx.res.set('HX-Refresh', 'true');
    sendConsolePage(ctx.res, progressBlock(job).value);
  });

  for (const kind of ['report', 'rejects'] as ImportDownloadKind[]) {
    route(router, deps, 'get', `/imports/:id/${kind}`, WRITERS, async (ctx) => {
      const d = await openImportDownload(ctx.deps.handle, idOf(ctx), kind, ctx.user, ctx.deps.logger);
      ctx.res.status(200).set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': attachmentHeader(d.filename, d.asciiFilename), 'Cache-Control': 'no-store' });
      await pipeline(d.file.createReadStream(), ctx.res);
    });
  }
}
