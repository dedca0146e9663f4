/** Valid identifiers for test rows: USCCs with their GB 32100-2015 check character, certificate numbers. */
import { USCC_ALPHABET, withCheckCharacter } from '../../src/domain/uscc.ts';

/**
 * A valid USCC in Yuzhong district (500103). `kind` is the second character: 1 enterprise,
 * 2 individual business, 3 farmers' cooperative. Distinct `n` give distinct codes.
 */
export function usccOf(n: number, kind: '1' | '2' | '3' = '1'): string {
  return withCheckCharacter(`9${kind}500103${String(n).padStart(9, '0')}`);
}

/** A random-looking but valid USCC body drawn from `rng` (all 31 characters of the alphabet). */
export function randomUscc(rng: () => number, kind: '1' | '2' | '3' = '1'): string {
  let body = `9${kind}500103`;
  for (let k = 0; k < 9; k++) body += USCC_ALPHABET[Math.floor(rng() * USCC_ALPHABET.length)];
  return withCheckCharacter(body);
}

/** A certificate number: 500103 + a two-digit series + four digits. */
export function certificateOf(n: number, series = '01'): string {
  return `500103${series}${String(n).padStart(4, '0')}`;
}
