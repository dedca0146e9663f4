/**
 * The public website (一公开): server-rendered pages in Simplified Chinese, no JavaScript, no
 * account. Thin handlers: read the request, ask src/services/public/ (one module per capability),
 * render with src/web/pages. Pages get a Content-Security-Policy of their own (the API's forbids
 * rendering anything); a page that fails is an HTML error page, never JSON.
 *
 *   /                    published tasks by plan, search box, statistics, open-data links
 *   /tasks/{id}          one task: matters, scope, rates, commitment, draw, selected, verify, results
 *   /search?q=           entities in published draws or results
 *   /entities/{uscc}     an entity's public record
 *   /check?code=         inspection check code → the task, the dates, the team's certificate numbers
 *   /check/qr.svg?code=  the QR image of a check page's address
 *   /charts/*.svg        statistics as SVG images
 *   /verify/double-random-verify.mjs  the standalone verifier (Node, no dependencies)
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { DbHandle } from '../db/connection.ts';
import type { Logger } from '../logger.ts';
import { AppError } from '../domain/errors.ts';
import { publicBaseUrl } from '../config.ts';
import { listPublicPlans, publicTask, publicYears } from '../services/public/plans.ts';
import { publicEntity, searchEntities } from '../services/public/entities.ts';
import { inspectionsByStreetMonth, problemRateByGrade, resultsByCategory } from '../services/public/statistics.ts';
import { lookupCheckCode } from '../services/public/checkCodes.ts';
import { checkUrl, normalizeCheckCode } from '../domain/checkCodes.ts';
import { PAGE_CSP } from '../web/layout.ts';
import { homePage } from '../web/pages/home.ts';
import { taskPage } from '../web/pages/task.ts';
import { entityPage, searchPage } from '../web/pages/entities.ts';
import { checkPage } from '../web/pages/check.ts';
import { errorPage, notFoundPage } from '../web/pages/errors.ts';
import { problemRateChart, resultsByCategoryChart, streetMonthChart } from '../web/charts.ts';
import { qrSvg } from '../web/qr.ts';
import { standaloneVerifier } from '../services/standaloneVerifier.ts';

export interface PublicSiteDeps {
  handle: DbHandle;
  logger: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USCC_SHAPE = /^[0-9A-HJ-NP-RTUWXY]{18}$/;
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

class PageNotFound extends Error {}

/** One query parameter as text (the first if repeated), trimmed and bounded. */
function queryText(req: Request, name: string, max = 100): string {
  const v = req.query[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, max) : '';
}

function queryYear(req: Request): number | undefined {
  const s = queryText(req, 'year', 8);
  return /^\d{4}$/.test(s) && Number(s) >= 2000 && Number(s) <= 2100 ? Number(s) : undefined;
}

function sendPage(res: Response, body: string, status = 200, cache = 'public, max-age=60'): void {
  res.status(status).set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': cache, 'Content-Type': 'text/html; charset=utf-8' }).send(body);
}

function sendSvg(res: Response, svg: string, cache = 'public, max-age=300'): void {
  res.status(200).set({ 'Content-Security-Policy': SVG_CSP, 'Cache-Control': cache, 'Content-Type': 'image/svg+xml; charset=utf-8' }).send(svg);
}

/**
 * Failed check-code lookups per client, to make guessing codes pointless on top of their 50 bits:
 * at most `allowed` (30) wrong codes per client in a 10-minute window, counted in this process.
 */
class FailureThrottle {
  private readonly seen = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly allowed = 30,
    private readonly windowMs = 10 * 60 * 1000,
  ) {}
  blocked(key: string, now = Date.now()): boolean {
    const e = this.seen.get(key);
    return !!e && e.resetAt > now && e.count >= this.allowed;
  }
  fail(key: string, now = Date.now()): void {
    if (this.seen.size > 10_000) for (const [k, e] of this.seen) if (e.resetAt <= now) this.seen.delete(k);
    const e = this.seen.get(key);
    if (!e || e.resetAt <= now) this.seen.set(key, { count: 1, resetAt: now + this.windowMs });
    else e.count++;
  }
}

export function publicSite(deps: PublicSiteDeps): Router {
  const db = deps.handle.db;
  const router = express.Router();
  const throttle = new FailureThrottle();

  // The one public address (PUBLIC_BASE_URL, see config.ts): the check page's QR code points where
  // the printed notice's does, whatever Host header a request came with.
  const baseUrl = publicBaseUrl();

  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>): RequestHandler =>
    async (req, res) => {
      try {
        await fn(req, res);
      } catch (err) {
        if (err instanceof PageNotFound || (err instanceof AppError && err.status === 404)) {
          sendPage(res, notFoundPage(err instanceof AppError ? err.message : undefined), 404, 'no-store');
          return;
        }
        deps.logger.error({ err, requestId: res.getHeader('X-Request-Id'), url: req.originalUrl }, 'public page failed');
        if (!res.headersSent) sendPage(res, errorPage(), 500, 'no-store');
        else res.destroy();
      }
    };

  router.get(
    '/',
    wrap(async (req, res) => {
      const year = queryYear(req);
      const [plans, years] = await Promise.all([listPublicPlans(db, { year }), publicYears(db)]);
      sendPage(res, homePage({ plans, years, year }));
    }),
  );

  router.get(
    '/tasks/:id',
    wrap(async (req, res) => {
      const id = String(req.params.id);
      if (!UUID.test(id)) throw new PageNotFound();
      sendPage(res, taskPage(await publicTask(db, id.toLowerCase())));
    }),
  );

  router.get(
    '/search',
    wrap(async (req, res) => {
      const q = queryText(req, 'q');
      sendPage(res, searchPage(q, q ? await searchEntities(db, q) : []));
    }),
  );

  router.get(
    '/entities/:uscc',
    wrap(async (req, res) => {
      const uscc = String(req.params.uscc).toUpperCase();
      if (!USCC_SHAPE.test(uscc)) throw new PageNotFound();
      sendPage(res, entityPage(await publicEntity(db, uscc)));
    }),
  );

  router.get(
    '/check',
    wrap(async (req, res) => {
      const code = queryText(req, 'code', 40);
      if (!code) {
        sendPage(res, checkPage({}), 200, 'no-store');
        return;
      }
      const client = req.ip ?? 'unknown';
      if (throttle.blocked(client)) {
        sendPage(res, checkPage({ code, throttled: true }), 429, 'no-store');
        return;
      }
      const outcome = await lookupCheckCode(db, code);
      if (!outcome.ok) {
        throttle.fail(client);
        sendPage(res, checkPage({ code, outcome }), 404, 'no-store');
        return;
      }
      const qr = await qrSvg(checkUrl(baseUrl, outcome.code));
      sendPage(res, checkPage({ code: outcome.code, outcome, qr }), 200, 'no-store');
    }),
  );

  // The standalone verifier: one file for Node with no dependencies, built from the CLI's own code.
  router.get(
    '/verify/double-random-verify.mjs',
    wrap(async (_req, res) => {
      const v = await standaloneVerifier();
      res
        .status(200)
        .set({
          'Content-Type': 'text/javascript; charset=utf-8',
          'Content-Disposition': 'attachment; filename="double-random-verify.mjs"',
          'Cache-Control': 'public, max-age=300',
          'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
          'X-Content-SHA256': v.sha256,
        })
        .send(v.source);
    }),
  );

  // The image of any well-formed code (no lookup: the image says nothing about whether the code exists).
  router.get(
    '/check/qr.svg',
    wrap(async (req, res) => {
      const code = normalizeCheckCode(queryText(req, 'code', 40));
      if (!code) throw new PageNotFound();
      sendSvg(res, await qrSvg(checkUrl(baseUrl, code)), 'no-store');
    }),
  );

  router.get(
    '/charts/results-by-category.svg',
    wrap(async (req, res) => {
      const year = queryYear(req);
      const data = await resultsByCategory(db, year);
      sendSvg(res, await resultsByCategoryChart(data.categories, year ? `${year} 年度抽查结果分类` : undefined));
    }),
  );

  router.get(
    '/charts/inspections-by-street-month.svg',
    wrap(async (req, res) => {
      const year = queryYear(req);
      const data = await inspectionsByStreetMonth(db, year);
      sendSvg(res, await streetMonthChart(data.cells, year ? `${year} 年度各街道每月抽查数` : undefined));
    }),
  );

  router.get(
    '/charts/problem-rate-by-grade.svg',
    wrap(async (req, res) => {
      const year = queryYear(req);
      const data = await problemRateByGrade(db, year);
      sendSvg(res, await problemRateChart(data.groups, data.minGroup, year ? `${year} 年度各分类的问题发现率` : undefined));
    }),
  );

  // Any other page: an HTML 404 (the API keeps its JSON 404 under /api).
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path === '/api' || req.path.startsWith('/api/')) {
      next();
      return;
    }
    sendPage(res, notFoundPage(), 404, 'no-store');
  });
  return router;
}
