import { describe, expect, it } from 'vitest';
import { checkUscc, isValidUscc, usccCheckCharacter, USCC_ALPHABET, withCheckCharacter } from '../../src/domain/uscc.ts';

const KNOWN_VALID = ['91350100M000100Y43', '91350200776049653A', '9135021359498494XQ'];

describe('USCC check character (GB 32100-2015)', () => {
  it.each(KNOWN_VALID)('accepts the published valid code %s', (code) => {
    expect(checkUscc(code)).toBeNull();
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it('accepts lower-case input and surrounding spaces as the same code', () => {
    expect(isValidUscc(' 91350100m000100y43 ')).toBe(true);
  });

  it('rejects every single-position substitution of a valid code', () => {
    const code = KNOWN_VALID[0];
    let tried = 0;
    for (let i = 0; i < 18; i++) {
      for (const c of USCC_ALPHABET) {
        if (c === code[i]) continue;
        const mutated = code.slice(0, i) + c + code.slice(i + 1);
        tried++;
        const problem = checkUscc(mutated);
        expect(problem, `substitution at ${i + 1} by ${c}`).not.toBeNull();
        expect(problem!.code).toBe('USCC_CHECK');
      }
    }
    expect(tried).toBe(18 * 30);
  });

  it('names the expected check character in its message', () => {
    const p = checkUscc('91350100M000100Y44');
    expect(p).toMatchObject({ code: 'USCC_CHECK', expected: '3', actual: '4' });
    expect(p!.message).toContain('应为“3”');
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects the excluded letter %s at any position', (letter) => {
    for (const pos of [2, 9, 17]) {
      const code = KNOWN_VALID[1];
      const bad = code.slice(0, pos) + letter + code.slice(pos + 1);
      const p = checkUscc(bad);
      expect(p).toMatchObject({ code: 'USCC_CHARACTER', position: pos + 1, character: letter });
    }
  });

  it('rejects wrong lengths', () => {
    expect(checkUscc('91350100M000100Y4')?.code).toBe('USCC_LENGTH');
    expect(checkUscc('91350100M000100Y433')?.code).toBe('USCC_LENGTH');
    expect(checkUscc('')?.code).toBe('USCC_LENGTH');
  });

  it('recognises a code that a spreadsheet turned into a number', () => {
    expect(checkUscc('9.15001031198037E+17')?.code).toBe('USCC_SPREADSHEET_NUMBER');
    expect(checkUscc('915001031198037000')?.code).not.toBe('USCC_SPREADSHEET_NUMBER');
  });

  it('completes a body with its check character', () => {
    const full = withCheckCharacter('91500103MA5U00001');
    expect(full).toHaveLength(18);
    expect(isValidUscc(full)).toBe(true);
  });
});
