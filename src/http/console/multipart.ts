/**
 * File uploads from console forms (multipart/form-data, what a browser's <input type="file">
 * sends without JavaScript), parsed with busboy. The file streams to disk while its SHA-256 and
 * size are counted, so memory stays bounded; a file over the limit is cut off, deleted and
 * refused with 413. The text fields (the CSRF token among them) come back beside the file, and
 * the caller checks the CSRF token with `csrfValid` after the body has been read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Request } from 'express';
import busboy from 'busboy';
import { AppError } from '../../domain/errors.ts';
import { formatBytes } from '../upload.ts';

export interface ReceivedFile {
  /** Where the bytes are (the caller moves or deletes it). */
  path: string;
  /** The name the browser gave, without folders or control characters. */
  originalName: string;
  /** The media type the browser declared (lower case, no parameters). */
  mediaType: string;
  bytes: number;
  sha256: string;
}

export interface MultipartResult {
  fields: Record<string, string | string[]>;
  files: ReceivedFile[];
}

function cleanName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
}

/**
 * Reads a multipart form: text fields and up to `maxFiles` files of field `fileField`, each
 * written to `target(i)` (a path that must not exist). Empty file inputs are skipped.
 */
export function receiveMultipart(req: Request, opts: { fileField: string; maxBytes: number; maxFiles?: number; target: (index: number) => string }): Promise<MultipartResult> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // Browsers send a file's name as raw UTF-8 (busboy would read it as Latin-1 by default).
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: opts.maxBytes, files: opts.maxFiles ?? 1, fields: 200, fieldSize: 64 * 1024, parts: 400 } });
    } catch {
      reject(new AppError(400, 'MULTIPART_REQUIRED', '表单须以 multipart/form-data 方式提交（含文件）'));
      return;
    }
    const fields: Record<string, string | string[]> = {};
    const files: ReceivedFile[] = [];
    const writes: Promise<void>[] = [];
    let failure: AppError | null = null;
    const fail = (e: AppError) => {
      failure ??= e;
    };
    bb.on('field', (name, value) => {
      const prev = fields[name];
      fields[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    bb.on('file', (name, stream, info) => {
      if (name !== opts.fileField || !info.filename) {
        stream.resume();
        return;
      }
      const index = files.length + writes.length;
      const file = opts.target(index);
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      const out = fs.createWriteStream(file, { flags: 'wx' });
      const entry: ReceivedFile = { path: file, originalName: cleanName(info.filename), mediaType: (info.mimeType || 'application/octet-stream').toLowerCase(), bytes: 0, sha256: '' };
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      stream.on('limit', () => fail(new AppError(413, 'PAYLOAD_TOO_LARGE', `文件“${entry.originalName}”超过 ${formatBytes(opts.maxBytes)} 上限`)));
      writes.push(
        new Promise<void>((done) => {
          out.on('close', () => {
            entry.bytes = bytes;
            entry.sha256 = hash.digest('hex');
            if (bytes > 0) files.push(entry);
            else fs.rmSync(file, { force: true });
            done();
          });
          out.on('error', () => {
            fail(new AppError(500, 'UPLOAD_FAILED', '文件保存失败，请稍后重试'));
            done();
          });
        }),
      );
      stream.pipe(out);
    });
    bb.on('filesLimit', () => fail(new AppError(400, 'TOO_MANY_FILES', `一次最多上传 ${opts.maxFiles ?? 1} 个文件`)));
    bb.on('error', () => fail(new AppError(400, 'BODY_INCOMPLETE', '上传未完成（连接中断或表单格式有误），请重新提交')));
    bb.on('close', () => {
      void Promise.all(writes).then(() => {
        if (failure) {
          for (const f of files) fs.rmSync(f.path, { force: true });
          reject(failure);
        } else resolve({ fields, files });
      });
    });
    req.pipe(bb);
  });
}
