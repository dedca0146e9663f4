/** The working seed: public randomness bound to the commitment (docs/draw-algorithm.md §4). */
import { sha256Hex } from './hash.ts';

export const ALGORITHM = 'double-random-draw/1';

const WHITE_SPACE = /[\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]/g;

/** NFKC, then every white-space character removed: what witnesses typed, in one canonical form. */
export function normalizeRandomness(typed: string): string {
  return typed.normalize('NFKC').replace(WHITE_SPACE, '');
}

export function deriveWorkingSeed(commitment: string, normalized: string): string {
  return sha256Hex(`${ALGORITHM}\n${commitment}\n${normalized}`);
}
