import crypto from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of s, lowercase hex (one-shot: no hash object per call). */
export function sha256Hex(s: string | Buffer): string {
  return crypto.hash('sha256', s, 'hex');
}

/** SHA-256 digest bytes of s. */
export function sha256Bytes(s: string): Buffer {
  return crypto.hash('sha256', s, 'buffer');
}

export function hmacSha256Hex(key: string | Buffer, message: string): string {
  return crypto.createHmac('sha256', key).update(message).digest('hex');
}
