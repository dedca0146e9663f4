/** Calendar dates and instants in China Standard Time (Asia/Shanghai, UTC+8, no DST). */

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** Today's date in Asia/Shanghai as YYYY-MM-DD. */
export function shanghaiDate(at: Date = new Date()): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** ISO-8601 UTC instant, the stored form of every timestamp. */
export function nowIso(at: Date = new Date()): string {
  return at.toISOString();
}

/** Formats a stored UTC instant for people: '2026-11-28 14:05:09' in Asia/Shanghai. */
export function formatShanghai(iso: string): string {
  const d = new Date(new Date(iso).getTime() + SHANGHAI_OFFSET_MS);
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * Reads a date as regulators write it: 2026-11-28, 2026/11/28, 2026.11.28, 20261128,
 * 2026年11月28日, or an Excel serial day number. Returns YYYY-MM-DD or undefined.
 */
export function parseDateText(raw: string): string | undefined {
  const s = raw.trim();
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
    return isIsoDate(iso) ? iso : undefined;
  }
  if (/^\d{4,5}(\.\d+)?$/.test(s)) return excelSerialToDate(Number(s));
  return undefined;
}

/** Excel's 1900 date system: serial 1 = 1900-01-01, with its phantom 1900-02-29. */
export function excelSerialToDate(serial: number): string | undefined {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return undefined;
  const days = Math.floor(serial) - (serial > 59 ? 1 : 0);
  return new Date(Date.UTC(1899, 11, 31) + days * 86400000).toISOString().slice(0, 10);
}

/**
 * A date cell read from a spreadsheet arrives as a JS Date at UTC midnight of the day shown
 * (the file has no time zone). Take its UTC calendar day, not the local one.
 */
export function dateFromSpreadsheetCell(d: Date): string {
  const shifted = new Date(d.getTime() + 12 * 3600 * 1000 - 1); // tolerate sub-day float noise
  const rounded = new Date(Math.round(d.getTime() / 86400000) * 86400000);
  return (Math.abs(rounded.getTime() - d.getTime()) < 60000 ? rounded : shifted).toISOString().slice(0, 10);
}
