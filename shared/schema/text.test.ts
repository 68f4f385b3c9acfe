import { describe, expect, it } from 'vitest';
import { isWellFormedText, malformedTextIssues, WellFormedText } from './text.ts';

describe('valid Unicode text', () => {
  it('accepts text with paired surrogates (emoji, rare CJK) and refuses lone ones', () => {
    for (const ok of ['', 'ada@example.com', 'Zoë 東京', '😀', '𠜎x']) expect(isWellFormedText(ok)).toBe(true);
    for (const bad of ['a\ud800b@example.com', '\udc00', 'x\ud83d', '\ude00😀', '😀\ud800']) expect(isWellFormedText(bad)).toBe(false);
  });

  it('reports the schema path of a broken string', () => {
    const result = WellFormedText.array().safeParse(['fine', 'a\ud800b']);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([[1]]);
  });

  it('finds every broken string in a JSON value, keys included, with its path', () => {
    const body = JSON.parse('{"rows":[{"row":1,"values":["ok","a\\ud800b@example.com"]}],"\\udc00":"x","n":[1,null,true]}');
    expect(malformedTextIssues(body).map((i) => i.path)).toEqual([['rows', 0, 'values', 1], ['\udc00']]);
    expect(malformedTextIssues({ a: ['😀'], b: 'ok' })).toEqual([]);
  });
});
