import crypto from 'node:crypto';

/** SHA-256 of the UTF-8 bytes of s, lowercase hex. */
export function sha256Hex(s: string | Buffer): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

export function hmacSha256Hex(key: string | Buffer, message: string): string {
  return crypto.createHmac('sha256', key).update(message).digest('hex');
}
