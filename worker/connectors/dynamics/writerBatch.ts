/**
 * The Web API's $batch format (OData 4.0 §11.7, multipart/mixed), as far as the writer uses it: each operation in a
 * change set of its own, so it succeeds or fails alone, named by its Content-ID; the answer's parts in the same
 * order. Pure text in, text out.
 */

export type BatchOperation = { method: 'POST' | 'PATCH'; url: string; headers: Record<string, string>; body: string };

export type BatchAnswer = { status: number; headers: Record<string, string>; body: string; contentId: string | null };

const CRLF = '\r\n';

/** The request body of a $batch and the Content-Type header that names its boundary. */
export function batchBody(operations: readonly BatchOperation[], boundary: string): { contentType: string; body: string } {
  const lines: string[] = [];
  operations.forEach((op, i) => {
    const changeset = `changeset_${boundary}_${i + 1}`;
    lines.push(`--batch_${boundary}`, `Content-Type: multipart/mixed; boundary=${changeset}`, '');
    lines.push(`--${changeset}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', `Content-ID: ${i + 1}`, '');
    lines.push(`${op.method} ${op.url} HTTP/1.1`);
    for (const [name, value] of Object.entries(op.headers)) lines.push(`${name}: ${value}`);
    lines.push('', op.body, `--${changeset}--`);
  });
  lines.push(`--batch_${boundary}--`, '');
  return { contentType: `multipart/mixed; boundary=batch_${boundary}`, body: lines.join(CRLF) };
}

function boundaryOf(contentType: string): string | null {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1] ?? null;
}

function headerBlock(text: string): { headers: Record<string, string>; rest: string } {
  const normalized = text.replace(/^\r?\n/, '');
  const end = normalized.search(/\r?\n\r?\n/);
  const head = end < 0 ? normalized : normalized.slice(0, end);
  const rest = end < 0 ? '' : normalized.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, rest };
}

function parts(body: string, boundary: string): string[] {
  const out: string[] = [];
  const chunks = body.split(`--${boundary}`);
  // Before the first delimiter is the preamble; after the closing one ("--" then the epilogue) nothing counts.
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    out.push(chunk);
  }
  return out;
}

/** The operations' answers of a $batch answer, in order: a change set's answer, or a failed change set's error. */
export function parseBatchAnswer(body: string, contentType: string): BatchAnswer[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const answers: BatchAnswer[] = [];
  for (const part of parts(body, boundary)) {
    const { headers, rest } = headerBlock(part);
    const type = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      answers.push(...parseBatchAnswer(rest, type));
      continue;
    }
    const status = /^HTTP\/1\.1 (\d{3})/.exec(rest.trimStart());
    if (!status) continue;
    const http = headerBlock(rest.trimStart().slice(rest.trimStart().indexOf('\n') + 1));
    answers.push({ status: Number(status[1]), headers: http.headers, body: http.rest.replace(/\r?\n$/, ''), contentId: headers['content-id'] ?? null });
  }
  return answers;
}
