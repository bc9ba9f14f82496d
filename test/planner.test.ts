import { describe, expect, it } from 'vitest';
import { planRanges, rangeDays } from '../src/loaders/planner.js';

const opts = { maxGapDays: 3, maxSpanDays: 14, minWindowDays: 7 };

describe('planRanges', () => {
  it('widens a short request forward to the minimum window', () => {
    expect(planRanges(['2025-10-26', '2025-10-25'], opts)).toEqual([{ first: '2025-10-25', last: '2025-10-31' }]);
  });

  it('merges days within the gap into one range and splits beyond it', () => {
    expect(planRanges(['2025-10-01', '2025-10-05'], { ...opts, minWindowDays: 1 })).toEqual([{ first: '2025-10-01', last: '2025-10-05' }]);
    expect(planRanges(['2025-10-01', '2025-10-06'], { ...opts, minWindowDays: 1 })).toEqual([
      { first: '2025-10-01', last: '2025-10-01' },
      { first: '2025-10-06', last: '2025-10-06' },
    ]);
  });

  it('covers the alternatives pattern (wished day, next 7 days, same weekday next week) in one range', () => {
    const days = ['2025-10-25', '2025-10-26', '2025-10-27', '2025-10-28', '2025-10-29', '2025-10-30', '2025-10-31', '2025-11-01', '2025-11-02'];
    expect(planRanges(days, opts)).toEqual([{ first: '2025-10-25', last: '2025-11-02' }]);
  });

  it('caps a range at the maximum span and never widens into the next range', () => {
    const days = Array.from({ length: 20 }, (_, i) => `2025-10-${String(i + 1).padStart(2, '0')}`);
    const ranges = planRanges(days, opts);
    expect(ranges).toEqual([
      { first: '2025-10-01', last: '2025-10-14' },
      { first: '2025-10-15', last: '2025-10-21' },
    ]);
    expect(Math.max(...ranges.map(rangeDays))).toBe(14);
    expect(planRanges(['2025-10-01', '2025-10-10'], { ...opts, minWindowDays: 14 })).toEqual([
      { first: '2025-10-01', last: '2025-10-09' },
      { first: '2025-10-10', last: '2025-10-23' },
    ]);
  });

  it('handles month and DST boundaries as plain UTC days', () => {
    expect(planRanges(['2025-03-30'], { ...opts, minWindowDays: 3 })).toEqual([{ first: '2025-03-30', last: '2025-04-01' }]);
  });
});

describe('planRanges with an anchor (today)', () => {
  const anchor = '2025-10-20';

  it('widens today..today+k to the block "7 days ahead"', () => {
    expect(planRanges(['2025-10-20', '2025-10-21'], opts, anchor)).toEqual([{ first: '2025-10-20', last: '2025-10-26' }]);
  });

  it('widens any day to its whole block, so different requests ask for the same range', () => {
    const block = { first: '2025-10-27', last: '2025-11-02' };
    expect(planRanges(['2025-10-28'], opts, anchor)).toEqual([block]);
    expect(planRanges(['2025-11-01', '2025-11-02'], opts, anchor)).toEqual([block]);
    expect(planRanges(['2025-10-18'], opts, anchor)).toEqual([{ first: '2025-10-13', last: '2025-10-19' }]);
  });

  it('takes two blocks for days that straddle a boundary, within the span cap', () => {
    expect(planRanges(['2025-10-26', '2025-10-27'], opts, anchor)).toEqual([{ first: '2025-10-20', last: '2025-11-02' }]);
  });

  it('falls back to the unaligned range when whole blocks would exceed the span cap', () => {
    // 9 days touching three blocks: 21 aligned days > 14, so the 9 days are fetched as they are.
    const days = ['2025-10-26', '2025-10-27', '2025-10-28', '2025-10-29', '2025-10-30', '2025-10-31', '2025-11-01', '2025-11-02', '2025-11-03'];
    expect(planRanges(days, opts, anchor)).toEqual([{ first: '2025-10-26', last: '2025-11-03' }]);
  });
});
