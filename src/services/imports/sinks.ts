/** Where an import's problems and rejected rows go: memory (first 100, counts) and CSV files. */
import fs from 'node:fs';
import { csvWriter } from '../csv.ts';
import type { Cell } from '../../domain/records.ts';
import { cellText } from '../../domain/records.ts';

export interface RowProblem {
  /** Spreadsheet row number (header row = 1 when there is no title row). */
  row: number;
  /** The column's header as written in the file ('' for whole-row problems). */
  column: string;
  code: string;
  message: string;
}

export const PROBLEMS_SHOWN = 100;

/** A CSV file opened on first write, UTF-8 with BOM so Excel on a Chinese system reads it. */
class LazyCsv {
  private out: ReturnType<typeof csvWriter> | null = null;
  private done: Promise<void> | null = null;
  constructor(
    readonly file: string,
    private readonly header: string[],
  ) {}

  write(record: string[]): void {
    if (!this.out) {
      const stream = fs.createWriteStream(this.file);
      this.out = csvWriter();
      this.out.pipe(stream);
      this.done = new Promise((resolve, reject) => {
        stream.on('finish', () => resolve());
        stream.on('error', reject);
      });
      this.out.write(this.header);
    }
    this.out.write(record);
  }

  get used(): boolean {
    return this.out !== null;
  }

  async close(): Promise<void> {
    if (!this.out) return;
    this.out.end();
    await this.done;
  }
}

export class ProblemSink {
  readonly first: RowProblem[] = [];
  readonly counts: Record<string, number> = {};
  total = 0;
  private readonly csv: LazyCsv;

  constructor(reportFile: string) {
    this.csv = new LazyCsv(reportFile, ['行号', '列', '错误代码', '说明']);
  }

  add(p: RowProblem): void {
    this.total++;
    this.counts[p.code] = (this.counts[p.code] ?? 0) + 1;
    if (this.first.length < PROBLEMS_SHOWN) this.first.push(p);
    this.csv.write([String(p.row), p.column, p.code, p.message]);
  }

  get reportFile(): string | undefined {
    return this.csv.used ? this.csv.file : undefined;
  }

  close(): Promise<void> {
    return this.csv.close();
  }
}

/** Rejected rows as they were in the file, with a reason column (for --skip-invalid). */
export class RejectSink {
  count = 0;
  private csv: LazyCsv | null = null;

  constructor(private readonly file: string) {}

  setHeader(headers: string[]): void {
    this.csv = new LazyCsv(this.file, ['行号', ...headers, '拒绝原因']);
  }

  add(rowNo: number, raw: Cell[], reasons: string[]): void {
    this.count++;
    this.csv?.write([String(rowNo), ...raw.map((c) => cellText(c)), reasons.join('；')]);
  }

  get rejectsFile(): string | undefined {
    return this.csv?.used ? this.file : undefined;
  }

  async close(): Promise<void> {
    await this.csv?.close();
  }
}
