import { z } from 'zod';

/**
 * What survives a closed tab: enough to find the import again and to recognise the same file when the user
 * selects it once more. No row data is kept in the browser's storage.
 */
export const ResumeRecord = z.object({
  importId: z.string(),
  fileSignature: z.string(),
  fileName: z.string(),
  audienceName: z.string(),
  totalRows: z.number().int(),
  startedAt: z.string(),
});
export type ResumeRecord = z.infer<typeof ResumeRecord>;

const KEY = 'audience-import:pending-import';

/** Name, size, modification time and header layout: a cheap fingerprint that tells "the same file" apart. */
export function fileSignature(file: { name: string; size: number; lastModified: number }, headerSignature: string): string {
  return [file.name, file.size, file.lastModified, headerSignature].join('|');
}

export function loadResumeRecord(storage: Pick<Storage, 'getItem'> = localStorage): ResumeRecord | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const parsed = ResumeRecord.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveResumeRecord(record: ResumeRecord, storage: Pick<Storage, 'setItem'> = localStorage): void {
  try {
    storage.setItem(KEY, JSON.stringify(record));
  } catch {
    // Storage full or disabled (private mode): the import still runs, it just can't be resumed after a reload.
  }
}

export function clearResumeRecord(importId?: string, storage: Pick<Storage, 'getItem' | 'removeItem'> = localStorage): void {
  try {
    if (importId !== undefined && loadResumeRecord(storage)?.importId !== importId) return;
    storage.removeItem(KEY);
  } catch {
    /* nothing to clear */
  }
}
