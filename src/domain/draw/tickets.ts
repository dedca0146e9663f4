/**
 * Tickets of Rivest's consistent sampler (first generation): the decimal digits, reversed, of
 * SHA-256(sha256_hex(seed) + id), read as the fraction 0.ddd… Compared as digit strings.
 * See docs/draw-algorithm.md §5.
 */
import { sha256Bytes, sha256Hex } from './hash.ts';

/** The value hashed with every id: sha256_hex(working seed). */
export function seedHash(workingSeed: string): string {
  return sha256Hex(workingSeed);
}

/** The full ticket string '0.' + reversed decimal digits (zero-padded to at least 64 digits). */
export function ticketOf(seedHashHex: string, id: string): string {
  const digest = sha256Hex(seedHashHex + id);
  const decimal = BigInt(`0x${digest}`).toString().padStart(64, '0');
  return `0.${[...decimal].reverse().join('')}`;
}

/** Compares two tickets by their digits (the reference sampler's string order). */
export function compareTickets(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const E9 = 1_000_000_000;

function reverse9(n: number): number {
  let r = 0;
  for (let i = 0; i < 9; i++) {
    r = r * 10 + (n % 10);
    n = Math.floor(n / 10);
  }
  return r;
}

/**
 * The first 18 digits of a ticket as two 9-digit numbers [first nine, next nine], computed from
 * the digest without BigInt: they are the last 18 decimal digits of the hash integer, reversed.
 * Orders all but astronomically rare ties; ties are broken with the full ticket.
 */
export function ticketKeyOfDigest(digest: Uint8Array): [number, number] {
  // Long division of the 256-bit big-endian integer by 10^9: remainder = lo, quotient bytes kept.
  let r = 0;
  const q = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const cur = r * 256 + digest[i];
    const qi = Math.floor(cur / E9);
    q[i] = qi;
    r = cur - qi * E9;
  }
  const lo = r; // x mod 10^9
  let hi = 0; // floor(x / 10^9) mod 10^9
  for (let i = 0; i < 32; i++) hi = (hi * 256 + q[i]) % E9;
  return [reverse9(lo), reverse9(hi)];
}

export function ticketKey(seedHashHex: string, id: string): [number, number] {
  return ticketKeyOfDigest(sha256Bytes(seedHashHex + id));
}

/** The first 18 digits of a full ticket string, as the key above. */
export function keyOfTicket(ticket: string): [number, number] {
  return [Number(ticket.slice(2, 11)), Number(ticket.slice(11, 20))];
}

export function compareKeys(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
