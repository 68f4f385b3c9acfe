import { describe, expect, it } from 'vitest';
import { describePath, messageFromBody } from './apiError.ts';

describe('describePath', () => {
  it('names the grid row and the source column of a batch value', () => {
    const context = { rowAt: (i: number) => [41, 42, 43][i], columnAt: (j: number) => ['Correo', 'Móvil'][j] };
    expect(describePath(['rows', 1, 'values', 0], context)).toBe('row 42, column ‘Correo’');
  });

  it('falls back to 1-based positions without context', () => {
    expect(describePath(['rows', 0, 'values', 2])).toBe('row 1, column 3');
  });

  it('names mapping columns and the identifier', () => {
    expect(describePath(['mapping', 'columns', 1, 'target'], { columnAt: () => 'Nombre' })).toBe('column ‘Nombre’, target field');
    expect(describePath(['mapping', 'identifier'])).toBe('identifier');
  });
});

describe('messageFromBody', () => {
  it('rewrites validation issues in the grid’s terms', () => {
    const body = {
      error: {
        code: 'validation_failed',
        message: 'rows.0.values.1: a cell may hold at most 10000 characters',
        details: [{ path: ['rows', 0, 'values', 1], message: 'a cell may hold at most 10000 characters' }],
      },
    };
    const out = messageFromBody(body, 400, { rowAt: () => 7, columnAt: () => 'Notes' });
    expect(out.code).toBe('validation_failed');
    expect(out.message).toBe('Row 7, column ‘Notes’: a cell may hold at most 10000 characters');
  });

  it('keeps the server message when there are no issues', () => {
    expect(messageFromBody({ error: { code: 'not_found', message: 'no such import' } }, 404)).toEqual({
      code: 'not_found',
      message: 'no such import',
      details: undefined,
    });
  });

  it('counts the issues it does not show', () => {
    const details = Array.from({ length: 7 }, (_, i) => ({ path: ['rows', i, 'row'], message: 'too small' }));
    const out = messageFromBody({ error: { code: 'validation_failed', message: 'x', details } }, 400);
    expect(out.message).toMatch(/^Row 1: too small; row 2: too small;.*\(and 2 more\)$/);
  });

  it('says a CRM missing on this server in marketer words, without the deployment’s setting names', () => {
    const body = { error: { code: 'crm_not_configured', message: 'Salesforce is not set up on this server (SALESFORCE_CLIENT_ID / SALESFORCE_CLIENT_SECRET)', details: { crm: 'Salesforce', settings: ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET'] } } };
    const { code, message } = messageFromBody(body, 503);
    expect(code).toBe('crm_not_configured');
    expect(message).toBe('Salesforce is not set up on this server yet, so it cannot be connected or imported from. Ask your administrator to finish its setup.');
    expect(messageFromBody({ error: { code: 'crm_not_configured', message: 'x' } }, 503).message).toMatch(/^This CRM is not set up/);
  });

  it('keeps the sentence of an error whose code this SPA does not know', () => {
    expect(messageFromBody({ error: { code: 'from_the_future', message: 'the import was archived' } }, 410)).toEqual({
      code: 'bad_response',
      message: 'the import was archived',
    });
  });

  it('explains an answer that is not an API error', () => {
    expect(messageFromBody('<html>Bad gateway</html>', 502)).toEqual({
      code: 'bad_response',
      message: 'The server answered 502 without an explanation.',
    });
  });
});
