import { describe, expect, it } from 'vitest';
import { clearResumeRecord, fileSignature, loadResumeRecord, type ResumeRecord, saveResumeRecord } from './resumeRecord.ts';

/** A real Storage-shaped map, as localStorage behaves. */
function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

const record: ResumeRecord = {
  importId: 'imp_1',
  fileSignature: 'contacts.csv|120|1700000000000|correo\u001fnombre',
  fileName: 'contacts.csv',
  audienceName: 'Newsletter',
  totalRows: 5000,
  startedAt: '2026-11-23T10:00:00.000Z',
};

describe('resume record', () => {
  it('round-trips through storage', () => {
    const storage = memoryStorage();
    saveResumeRecord(record, storage);
    expect(loadResumeRecord(storage)).toEqual(record);
  });

  it('ignores garbage left in storage', () => {
    const storage = memoryStorage();
    storage.setItem('audience-import:pending-import', '{"importId":5}');
    expect(loadResumeRecord(storage)).toBeNull();
    storage.setItem('audience-import:pending-import', 'not json');
    expect(loadResumeRecord(storage)).toBeNull();
  });

  it('clears only the import it is asked to clear', () => {
    const storage = memoryStorage();
    saveResumeRecord(record, storage);
    clearResumeRecord('imp_other', storage);
    expect(loadResumeRecord(storage)).toEqual(record);
    clearResumeRecord('imp_1', storage);
    expect(loadResumeRecord(storage)).toBeNull();
  });

  it('tells files apart by name, size, date and header layout', () => {
    const file = { name: 'a.csv', size: 10, lastModified: 1 };
    expect(fileSignature(file, 'x')).toBe(fileSignature({ ...file }, 'x'));
    expect(fileSignature(file, 'x')).not.toBe(fileSignature({ ...file, size: 11 }, 'x'));
    expect(fileSignature(file, 'x')).not.toBe(fileSignature(file, 'y'));
  });
});
