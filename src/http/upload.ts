/**
 * File uploads. The request body is the file itself (the bytes of a CSV or XLSX, as
 * `curl --data-binary @名录.csv -H 'Content-Type: text/csv'` or `fetch(url, { body: file })` send
 * it), not a multipart form and not JSON. The handler streams it to disk with `saveTo`, counting
 * bytes as they arrive: memory stays bounded whatever the file's size, and a body over the limit
 * is cut off with a 413 and its partial file deleted.
 */
import fs from 'node:fs';
import type { Request } from 'express';
import { AppError } from '../domain/errors.ts';
import { hasBody } from './middleware.ts';

/** What an upload operation accepts (declared on the operation, documented in OpenAPI). */
export interface UploadSpec {
  /** Media types the body may be declared as; a body without Content-Type counts as application/octet-stream. */
  mediaTypes: readonly string[];
  /** The largest body accepted, in bytes (Deps.uploadLimitBytes replaces it when set). */
  maxBytes: number;
  /** The requestBody's description in the document. */
  description: string;
  /** What the file is, for messages (default: a CSV or XLSX file of an import), e.g. 'JPEG、PNG 图片或 PDF 文件'. */
  what?: string;
}

/** The not-yet-read body of an upload request, as its handler receives it. */
export interface Upload {
  /** The declared media type, lower case and without parameters (application/octet-stream when none). */
  mediaType: string;
  /** The size limit in force, in bytes. */
  limitBytes: number;
  /**
   * Streams the body into `file`, which must not exist yet, and resolves with the number of bytes
   * once the file is complete and closed. Rejects with EMPTY_FILE (400), PAYLOAD_TOO_LARGE (413) or
   * BODY_INCOMPLETE (400, the client went away), having deleted the file. Can be called once.
   */
  saveTo(file: string): Promise<number>;
}

const OCTET_STREAM = 'application/octet-stream';

/** 512 MB, 64 KB, 1000 字节: a size for messages. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GB', 1024 ** 3], ['MB', 1024 ** 2], ['KB', 1024]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} 字节`;
}

function mediaTypeOf(req: Request): string {
  const declared = req.headers['content-type'];
  return declared ? declared.split(';')[0].trim().toLowerCase() : OCTET_STREAM;
}

function tooLarge(limit: number, what?: string): AppError {
  if (what) return new AppError(413, 'PAYLOAD_TOO_LARGE', `上传的文件超过 ${formatBytes(limit)} 上限；请压缩或拆分后再上传`);
  return new AppError(
    413,
    'PAYLOAD_TOO_LARGE',
    `上传的文件超过 ${formatBytes(limit)} 上限；请把文件拆成几个较小的文件分批导入，或在服务器上用命令行导入（double-random import）`,
  );
}

function emptyFile(what?: string): AppError {
  const message = `没有收到文件内容：请把${what ?? ' CSV 或 XLSX '}文件本身作为请求体发送（如 curl --data-binary @${what ? '照片.jpg' : '名录.csv'}）`;
  return new AppError(400, 'EMPTY_FILE', message, [{ path: 'body', code: 'EMPTY_FILE', message }]);
}

function incomplete(): AppError {
  const message = '文件没有传完（连接中断或长度与 Content-Length 不符）；请重新上传';
  return new AppError(400, 'BODY_INCOMPLETE', message, [{ path: 'body', code: 'BODY_INCOMPLETE', message }]);
}

/**
 * Checks what the headers already tell, before anything is read: the media type (415), a
 * compressed body (415) and a declared length over the limit (413).
 */
export function checkUploadHeaders(req: Request, spec: UploadSpec, limit: number): void {
  if (!hasBody(req.headers)) return; // an empty upload is refused once the query is known to be valid
  const encoding = req.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new AppError(415, 'UNSUPPORTED_ENCODING', `上传的文件不能压缩（收到 Content-Encoding: ${encoding}）；请直接发送文件本身`);
  }
  const mediaType = mediaTypeOf(req);
  if (!spec.mediaTypes.includes(mediaType)) {
    const accepted = spec.mediaTypes.join('、');
    const message =
      mediaType === 'multipart/form-data'
        ? `请把文件本身作为请求体上传（如 curl --data-binary @${spec.what ? "照片.jpg -H 'Content-Type: image/jpeg'" : "名录.csv -H 'Content-Type: text/csv'"}），不要用表单（multipart/form-data）；Content-Type 可为 ${accepted}`
        : `请求体须为${spec.what ?? ' CSV 或 XLSX '}文件本身，Content-Type 为 ${accepted} 之一（收到的是 ${req.headers['content-type']}）`;
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, spec.what);
}

/** The upload of one request; nothing is read until the handler calls saveTo. */
export function receiveUpload(req: Request, limit: number, what?: string): Upload {
  let used = false;
  return {
    mediaType: mediaTypeOf(req),
    limitBytes: limit,
    saveTo(file) {
      if (used) return Promise.reject(new Error('Upload.saveTo called twice'));
      used = true;
      if (!hasBody(req.headers)) return Promise.reject(emptyFile(what));
      return streamToFile(req, file, limit, what);
    },
  };
}

function streamToFile(req: Request, file: string, limit: number, what?: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    // 'wx': never overwrite a file of the same name (uploadPath's names are random, but make sure).
    const out = fs.createWriteStream(file, { flags: 'wx' });
    let bytes = 0;
    let settled = false;
    let ours = true;

    const detach = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      out.off('drain', onDrain);
    };
    /** Stops writing, deletes what was written, then rejects; the rest of the body is read and dropped. */
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      detach();
      req.resume();
      const remove = () => {
        const removed = ours ? fs.promises.rm(file, { force: true }).catch(() => undefined) : Promise.resolve();
        void removed.then(() => reject(err));
      };
      if (out.closed) remove();
      else {
        out.once('close', remove);
        out.destroy();
      }
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) fail(tooLarge(limit, what));
      else if (!out.write(chunk)) req.pause();
    };
    const onDrain = () => req.resume();
    const onEnd = () => {
      detach();
      out.end();
    };
    const onClose = () => {
      if (!req.complete) fail(incomplete());
    };

    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') ours = false;
      fail(err);
    });
    out.on('close', () => {
      if (settled) return;
      if (!out.writableFinished) return; // destroyed: fail() handles it
      if (bytes === 0) {
        fail(emptyFile(what));
        return;
      }
      settled = true;
      resolve(bytes);
    });
    out.on('drain', onDrain);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
    if (req.destroyed && !req.complete) fail(incomplete()); // the client left before the handler got here
  });
}
