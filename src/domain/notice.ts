/**
 * The notice served on the inspected entity (检查通知书): what it says, and the shape of the
 * function that prints it. The results service builds the data, numbers the notice and hands it
 * to a `NoticeRenderer` inside the transaction that stores the page and its hash; the renderer
 * itself (HTML, QR image) belongs to the web layer and is passed in by the caller, so the service
 * never depends on how the page looks.
 */

/** What the notice says. Stored with the notice as its data snapshot (without the check code). */
export interface NoticeData {
  /** e.g. 'SCJG检通〔2026〕第3号' */
  number: string;
  issuer: { code: string; name: string };
  entity: { uscc: string; name: string; address: string | null; street: string | null };
  departments: { code: string; name: string }[];
  matters: { code: string; name: string; department: string; departmentName: string; legalBasis: string | null }[];
  team: { certificateNo: string; name: string; department: string; departmentName: string }[];
  window: { start: string; end: string };
  tasks: string[];
  materials: string[];
  contact: { name: string; certificateNo: string; departmentName: string };
  issuedOn: string;
  issuedAt: string;
  issuedBy: string;
}

/** The inspection check code printed on the notice, and the public address where the entity enters it (/check). */
export interface NoticeCheck {
  code: string;
  url: string;
}

/**
 * Prints a notice: the same data and check code must always give the same page, since the page
 * is stored and hashed once and every reprint serves the stored page.
 */
export type NoticeRenderer = (notice: NoticeData, check: NoticeCheck) => Promise<string>;
