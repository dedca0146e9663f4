/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015).
 * 18 characters from a 31-character alphabet (no I, O, S, V, Z); the 18th is a check character.
 */

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type UsccProblem =
  | { code: 'USCC_LENGTH'; message: string }
  | { code: 'USCC_CHARACTER'; message: string; position: number; character: string }
  | { code: 'USCC_CHECK'; message: string; expected: string; actual: string }
  | { code: 'USCC_SPREADSHEET_NUMBER'; message: string };

/** The check character for the first 17 characters, or null if one of them is not in the alphabet. */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i]);
    if (v < 0) return null;
    sum += v * WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** A spreadsheet shows a long all-digit code as a number such as 9.15001031198037E+17 and loses digits. */
export function looksLikeSpreadsheetNumber(raw: string): boolean {
  return /^\d(\.\d+)?E\+\d+$/i.test(raw.trim()) || /^\d{15,17}(\.0+)?$/.test(raw.trim());
}

/** Normalises what a user typed: trims, upper-cases. Does not guess at other mistakes. */
export function normalizeUscc(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Validates a USCC; returns null when valid, otherwise the problem with a message in Chinese. */
export function checkUscc(raw: string): UsccProblem | null {
  const code = normalizeUscc(raw);
  if (looksLikeSpreadsheetNumber(code)) {
    return {
      code: 'USCC_SPREADSHEET_NUMBER',
      message: `统一社会信用代码“${raw.trim()}”已被电子表格转成数字并丢失了末尾几位；请把该列设为“文本”格式后重新导出原始代码`,
    };
  }
  if (code.length !== 18) {
    return {
      code: 'USCC_LENGTH',
      message: `统一社会信用代码应为 18 位，“${code}”为 ${code.length} 位`,
    };
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i])) {
      return {
        code: 'USCC_CHARACTER',
        message: `统一社会信用代码第 ${i + 1} 位“${code[i]}”不是允许的字符（不含 I、O、S、V、Z）`,
        position: i + 1,
        character: code[i],
      };
    }
  }
  const expected = usccCheckCharacter(code.slice(0, 17))!;
  if (expected !== code[17]) {
    return {
      code: 'USCC_CHECK',
      message: `统一社会信用代码“${code}”校验位错误：第 18 位应为“${expected}”，实为“${code[17]}”`,
      expected,
      actual: code[17],
    };
  }
  return null;
}

export function isValidUscc(raw: string): boolean {
  return checkUscc(raw) === null;
}

/** Completes 17 characters with their check character (used by the demo-data generator and tests). */
export function withCheckCharacter(first17: string): string {
  const c = usccCheckCharacter(first17);
  if (c === null) throw new Error(`not a valid USCC body: ${first17}`);
  return first17 + c;
}
