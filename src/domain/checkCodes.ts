/**
 * Inspection check codes (检查核验码), the pure part: the code's alphabet and length, how it is
 * derived from the service's secret and a visit id, how a typed code is read, and the address
 * its QR image leads to (docs/open-data.md). Storing codes and looking them up is
 * src/services/public/checkCodes.ts.
 */
import crypto from 'node:crypto';

/** 32 characters without 0/O and 1/I, so a code read aloud or typed from paper is unambiguous. */
export const CHECK_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 10 characters of 5 bits: 50 bits, which makes guessing pointless (the check page also throttles wrong codes). */
export const CHECK_CODE_LENGTH = 10;

const CODE_SHAPE = new RegExp(`^[${CHECK_CODE_ALPHABET}]{${CHECK_CODE_LENGTH}}$`);

/**
 * The first 50 bits of HMAC-SHA256(secret, "check-code/1|" + visit id + "|" + attempt), as 10
 * characters of CHECK_CODE_ALPHABET, most significant first. `attempt` is 1 unless that code
 * already belongs to another visit.
 */
export function deriveCheckCode(secretHex: string, visitId: string, attempt = 1): string {
  const mac = crypto.createHmac('sha256', Buffer.from(secretHex, 'hex')).update(`check-code/1|${visitId}|${attempt}`).digest();
  let bits = 0n;
  for (let i = 0; i < 7; i++) bits = (bits << 8n) | BigInt(mac[i]);
  bits >>= 6n; // 56 → 50 bits
  let out = '';
  for (let k = CHECK_CODE_LENGTH - 1; k >= 0; k--) out += CHECK_CODE_ALPHABET[Number((bits >> BigInt(5 * k)) & 31n)];
  return out;
}

/** What a person typed, as a code: upper case, without spaces, dashes and underscores. Undefined if it cannot be one. */
export function normalizeCheckCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s\-_]/g, '');
  return CODE_SHAPE.test(code) ? code : undefined;
}

/** The address a check code's QR image leads to: the public check page under the site's base URL. */
export function checkUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/check?code=${encodeURIComponent(code)}`;
}
