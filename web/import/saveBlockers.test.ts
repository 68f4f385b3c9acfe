import { describe, expect, it } from 'vitest';
import { type SaveState, saveBlocker } from './saveBlockers.ts';

const ready: SaveState = {
  hasRows: true,
  parsing: false,
  columns: [
    { column: 'Correo', target: 'email' },
    { column: 'Nombre', target: 'first_name' },
    { column: 'Notas', target: null },
  ],
  identifier: 'Correo',
  audienceChosen: true,
  consent: true,
};

describe('saveBlocker', () => {
  it('lets a complete import through', () => {
    expect(saveBlocker(ready)).toBeNull();
  });

  it('asks for consent last, once everything else is set', () => {
    expect(saveBlocker({ ...ready, consent: false })).toBe('Confirm double opt-in');
  });

  it('asks for an identifier before consent', () => {
    expect(saveBlocker({ ...ready, identifier: null, consent: false })).toBe('Choose a unique identifier column');
  });

  it('asks for a mapped column before anything about identifiers', () => {
    const columns = ready.columns.map((c) => ({ ...c, target: null }));
    expect(saveBlocker({ ...ready, columns, identifier: null })).toBe('Map at least one column');
  });

  it('refuses an identifier that is skipped', () => {
    expect(saveBlocker({ ...ready, identifier: 'Notas' })).toBe('Map the identifier column to a field');
  });

  it('names both columns mapped to one field', () => {
    const columns = [...ready.columns, { column: 'Email 2', target: 'email' }];
    expect(saveBlocker({ ...ready, columns, fieldLabel: () => 'Email' })).toBe('‘Correo’ and ‘Email 2’ both map to Email: skip one');
  });

  it('refuses to save part of a file that could not be read to the end', () => {
    expect(saveBlocker({ ...ready, readFailed: true })).toBe('The file could not be read to the end: fix it and choose it again');
  });

  it('waits for the file and the audience', () => {
    expect(saveBlocker({ ...ready, hasRows: false, parsing: false })).toBe('Choose a file with at least one data row');
    expect(saveBlocker({ ...ready, parsing: true })).toBe('Wait until the whole file is read');
    expect(saveBlocker({ ...ready, audienceChosen: false })).toBe('Pick an audience or name a new one');
  });
});
