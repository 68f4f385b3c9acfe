import { describe, expect, it } from 'vitest';
import type { PlannedAllowedValues } from '../schema/importPlan.ts';
import { checkCell } from './importRules.ts';
import { checkPickListValue, multiValueParts, offeredValuesText } from './pickListValues.ts';

const interests: PlannedAllowedValues = {
  fieldLabel: 'Interests',
  multiple: true,
  values: [
    { label: 'Sports', code: '1' },
    { label: 'Music', code: '2' },
    { label: 'Travel, abroad', code: '3' },
    { label: 'Chess', code: '4', retired: true },
  ],
};
const level: PlannedAllowedValues = {
  fieldLabel: 'Level',
  values: [
    { label: 'Bronze', code: '100000000' },
    { label: 'Gold', code: '100000002', retired: true },
  ],
};
const check = (value: string, allowed = interests) => checkPickListValue(value, allowed, false, 12);

describe('a multi-select cell', () => {
  it('is stored as labels in the pick list order, joined with "; ", whatever the source wrote', () => {
    expect(check('Music;Sports')).toEqual({ ok: true, value: 'Sports; Music' });
    expect(check(' music ;  SPORTS ; ')).toEqual({ ok: true, value: 'Sports; Music' });
    expect(check('2;1;Music')).toEqual({ ok: true, value: 'Sports; Music' });
    expect(check('Travel, abroad; Sports')).toEqual({ ok: true, value: 'Sports; Travel, abroad' });
  });
  it('reads a Dataverse code list "1,2,3" when every piece is a code', () => {
    expect(check('3,1')).toEqual({ ok: true, value: 'Sports; Travel, abroad' });
    expect(check('1,Golf')).toEqual({ ok: false, problems: [expect.objectContaining({ value: '1,Golf', retired: false })] });
  });
  it('reports each value not allowed, naming it', () => {
    const verdict = check('Sports;Golf;Music;Poker');
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.problems.map((p) => p.value)).toEqual(['Golf', 'Poker']);
    expect(verdict.problems[0]?.message).toBe('"Golf" is not one of the allowed values of Interests: Sports, Music, Travel, abroad.');
  });
  it('refuses a retired value with its own words, and never offers it', () => {
    const verdict = check('Sports;chess');
    expect(verdict).toEqual({
      ok: false,
      problems: [{ value: 'Chess', retired: true, message: '"Chess" was retired from Interests in the CRM and can no longer be stored; its values are: Sports, Music, Travel, abroad.' }],
    });
    expect(offeredValuesText(interests.values, 12)).toBe('Sports, Music, Travel, abroad');
  });
  it('splits on ";" only', () => {
    expect(multiValueParts('a; b;;c ;')).toEqual(['a', 'b', 'c']);
  });
});

describe('a single-choice cell', () => {
  it('stores the label of a label or a code, and refuses a retired one', () => {
    expect(check('bronze', level)).toEqual({ ok: true, value: 'Bronze' });
    expect(check('100000000', level)).toEqual({ ok: true, value: 'Bronze' });
    expect(check('Gold', level)).toEqual({ ok: false, problems: [expect.objectContaining({ value: 'Gold', retired: true })] });
    expect(check('Bronze; Gold', level)).toEqual({ ok: false, problems: [expect.objectContaining({ value: 'Bronze; Gold', retired: false })] });
  });
});

describe('checkCell with a pick list', () => {
  const context = { type: 'text' as const, sensitive: false, defaultCountry: 'US', allowed: interests };
  it('gives one problem per value not allowed, and one message for the grid', () => {
    const verdict = checkCell('Golf;Poker', context);
    expect(verdict).toMatchObject({ ok: false, code: 'value_not_allowed' });
    if (verdict.ok) return;
    expect(verdict.problems?.map((p) => p.code)).toEqual(['value_not_allowed', 'value_not_allowed']);
    expect(verdict.problems?.[1]?.message).toMatch(/^"Poker" is not one/);
    expect(verdict.message).toContain('"Golf"');
    expect(verdict.message).toContain('"Poker"');
  });
  it('never quotes a sensitive value', () => {
    const verdict = checkCell('Golf', { ...context, sensitive: true });
    expect(verdict).toMatchObject({ ok: false, message: expect.stringMatching(/^This value is not one/) });
  });
  it('stores the one form', () => {
    expect(checkCell('Music;Sports', context)).toEqual({ ok: true, value: 'Sports; Music' });
  });
});
