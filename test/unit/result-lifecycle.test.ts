/**
 * The result lifecycle (检查结果流程) and the override of refused measures as pure state
 * machines. The expectations are written by hand from what the API documents, not read back from
 * the table:
 *   - POST …/result: "录入或修改检查结果（…已录入或被退回时可修改）" — a result is entered once, edited
 *     while it waits for review, and entered again after a return (back to review);
 *   - POST …/review: "审核检查结果：通过，或写明意见退回检查组" — only a result waiting for review is
 *     reviewed;
 *   - POST …/publish: "公示检查结果（须已审核通过）";
 *   - an approved or published result is final; the result_events actions are
 *     enter, edit, re-enter, return, approve, publish;
 *   - POST …/measures/{n}/override and …/approve-override: a measure the no-coercion list refused
 *     is asked for, then approved by a second person.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import {
  APPROVED,
  EDITABLE,
  ENTRY_ACTIONS,
  MEASURE_STATES,
  RESULT_STATUSES,
  assertMeasureMove,
  assertResultEditable,
  assertResultMove,
  canMoveMeasure,
  canMoveResult,
  type MeasureState,
  type ResultStatus,
} from '../../src/domain/results.ts';

type From = ResultStatus | null;

/** Every allowed move, with the event it records. */
const ALLOWED: [From, ResultStatus, string][] = [
  [null, 'entered', 'enter'],
  ['entered', 'entered', 'edit'],
  ['returned', 'entered', 're-enter'],
  ['entered', 'approved', 'approve'],
  ['entered', 'returned', 'return'],
  ['approved', 'published', 'publish'],
];

/** Every refused move with the code the API answers (409). */
const REFUSED: [From, ResultStatus, string][] = [
  // Nothing entered yet: only entry.
  [null, 'returned', 'NO_RESULT'],
  [null, 'approved', 'NO_RESULT'],
  [null, 'published', 'NO_RESULT'],
  // Approved and published results can no longer be edited.
  ['approved', 'entered', 'RESULT_LOCKED'],
  ['published', 'entered', 'RESULT_LOCKED'],
  // Only a result waiting for review is reviewed.
  ['returned', 'approved', 'RESULT_RETURNED'],
  ['returned', 'returned', 'RESULT_RETURNED'],
  ['approved', 'approved', 'RESULT_ALREADY_REVIEWED'],
  ['approved', 'returned', 'RESULT_ALREADY_REVIEWED'],
  ['published', 'approved', 'RESULT_ALREADY_REVIEWED'],
  ['published', 'returned', 'RESULT_ALREADY_REVIEWED'],
  // Publication needs approval, and happens once.
  ['entered', 'published', 'RESULT_NOT_APPROVED'],
  ['returned', 'published', 'RESULT_NOT_APPROVED'],
  ['published', 'published', 'RESULT_ALREADY_PUBLISHED'],
];

const name = (from: From, to: ResultStatus) => `${from ?? '(none)'} → ${to}`;

describe('the result lifecycle', () => {
  it('covers every pair of statuses exactly once between the allowed and the refused moves', () => {
    const pairs = [null, ...RESULT_STATUSES].flatMap((from) => RESULT_STATUSES.map((to) => name(from, to)));
    const listed = [...ALLOWED, ...REFUSED].map(([from, to]) => name(from, to));
    expect(listed.sort()).toEqual(pairs.sort());
  });

  it.each(ALLOWED)('allows %s → %s, recorded as %s', (from, to, action) => {
    expect(canMoveResult(from, to)).toBe(true);
    expect(assertResultMove(from, to)).toEqual({ from, to, action });
  });

  it.each(REFUSED)('refuses %s → %s with 409 %s', (from, to, code) => {
    expect(canMoveResult(from, to)).toBe(false);
    let thrown: unknown;
    try {
      assertResultMove(from, to);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(thrown).toMatchObject({ status: 409, code });
    expect((thrown as Error).message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('says in Chinese why a move is refused', () => {
    expect(() => assertResultMove('published', 'entered')).toThrow('检查结果已公示，不能再修改');
    expect(() => assertResultMove('approved', 'entered')).toThrow('检查结果已审核待公示，不能再修改');
    expect(() => assertResultMove('returned', 'approved')).toThrow('检查结果已退回待修改，只有已录入待审核的结果可以审核');
    expect(() => assertResultMove('entered', 'published')).toThrow('检查结果已录入待审核，须经审核通过后才能公示');
    expect(() => assertResultMove('published', 'published')).toThrow('检查结果已公示');
    expect(() => assertResultMove(null, 'approved')).toThrow('本次检查尚未录入检查结果');
  });

  it('an approved or published result never goes back', () => {
    for (const from of ['approved', 'published'] as const) {
      for (const to of ['entered', 'returned'] as const) expect(canMoveResult(from, to)).toBe(false);
    }
    for (const to of RESULT_STATUSES) expect(canMoveResult('published', to)).toBe(false);
  });

  it('derives what may be edited, what counts as approved, and who authored a result', () => {
    expect([...EDITABLE].sort()).toEqual(['entered', 'returned']);
    expect([...APPROVED].sort()).toEqual(['approved', 'published']);
    expect([...ENTRY_ACTIONS].sort()).toEqual(['edit', 'enter', 're-enter']);
    expect(() => assertResultEditable('entered', '申请')).not.toThrow();
    expect(() => assertResultEditable('returned', '批准')).not.toThrow();
    expect(() => assertResultEditable('approved', '申请')).toThrow(expect.objectContaining({ code: 'RESULT_LOCKED', message: '检查结果已审核待公示，不能再申请' }));
    expect(() => assertResultEditable('published', '批准')).toThrow(expect.objectContaining({ code: 'RESULT_LOCKED', message: '检查结果已公示，不能再批准' }));
  });
});

describe('the override of a refused measure', () => {
  const ALLOWED_MEASURE: [MeasureState, MeasureState, string][] = [
    ['refused', 'override-requested', 'override-request'],
    ['override-requested', 'overridden', 'override-approve'],
  ];

  it.each(ALLOWED_MEASURE)('allows %s → %s, recorded as %s', (from, to, action) => {
    expect(canMoveMeasure(from, to)).toBe(true);
    expect(assertMeasureMove(1, from, to)).toEqual({ from, to, action });
  });

  it('refuses every other move', () => {
    for (const from of MEASURE_STATES) {
      for (const to of MEASURE_STATES) {
        if (ALLOWED_MEASURE.some(([f, t]) => f === from && t === to)) continue;
        expect(canMoveMeasure(from, to)).toBe(false);
        expect(() => assertMeasureMove(2, from, to)).toThrow(ConflictError);
      }
    }
  });

  it('answers a request for a measure that was not refused, and an approval without a request', () => {
    expect(() => assertMeasureMove(2, 'allowed', 'override-requested')).toThrow(
      expect.objectContaining({ status: 409, code: 'MEASURE_NOT_REFUSED', message: '第 2 项强制措施该措施未被清单排除，无需申请' }),
    );
    expect(() => assertMeasureMove(2, 'override-requested', 'override-requested')).toThrow(
      expect.objectContaining({ code: 'MEASURE_NOT_REFUSED', message: '第 2 项强制措施已申请，待第二人批准' }),
    );
    expect(() => assertMeasureMove(2, 'overridden', 'override-requested')).toThrow(expect.objectContaining({ code: 'MEASURE_NOT_REFUSED', message: '第 2 项强制措施已批准' }));
    for (const from of ['allowed', 'refused', 'overridden'] as const) {
      expect(() => assertMeasureMove(3, from, 'overridden')).toThrow(expect.objectContaining({ status: 409, code: 'OVERRIDE_NOT_REQUESTED', message: '第 3 项强制措施没有待批准的申请' }));
    }
  });
});
