/**
 * The Web API's $batch format (OData 4.0 §11.7, multipart/mixed), as far as the writer uses it: each operation a
 * request of its own outside any change set, which with `Prefer: odata.continue-on-error` succeeds or fails alone
 * (Dataverse's own example of a batch without change sets); the answer's parts in the same order. A change set of one
 * operation would mean the same, at twice the text to build, send and parse. Pure text in, text out.
 */

/** `url`: the request's path on the environment (`/api/data/v9.2/contacts`), as Dataverse's $batch examples write it. */
export type BatchOperation = { method: 'POST' | 'PATCH'; url: string; headers: Record<string, string>; body: string };

export type BatchAnswer = { status: number; headers: Record<string, string>; body: string; contentId: string | null };

const CRLF = '\r\n';

/** The request body of a $batch and the Content-Type header that names its boundary. */
export function batchBody(operations: readonly BatchOperation[], boundary: string): { contentType: string; body: string } {
  const delimiter = `--batch_${boundary}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}`;
  const parts: string[] = [];
  for (const op of operations) {
    let head = `${delimiter}${op.method} ${op.url} HTTP/1.1${CRLF}`;
    for (const name in op.headers) head += `${name}: ${op.headers[name]}${CRLF}`;
    parts.push(`${head}${CRLF}${op.body}${CRLF}`);
  }
  parts.push(`--batch_${boundary}--${CRLF}`);
  return { contentType: `multipart/mixed; boundary=batch_${boundary}`, body: parts.join('') };
}

function boundaryOf(contentType: string): string | null {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1] ?? null;
}

/**
 * The header lines of `text` from `at` up to the first empty line, names lower case; `end` is where the content after
 * the empty line starts. Lines may end in CRLF or a bare LF.
 */
function readHeaders(text: string, at: number, stop: number): { headers: Record<string, string>; end: number } {
  const headers: Record<string, string> = {};
  let pos = at;
  while (pos < stop) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0 || eol > stop) eol = stop;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) return { headers, end: Math.min(eol + 1, stop) };
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < lineEnd) headers[text.slice(pos, colon).trim().toLowerCase()] = text.slice(colon + 1, lineEnd).trim();
    pos = eol + 1;
  }
  return { headers, end: stop };
}

/** Skips blank lines from `at`: a part's content may be preceded by them. */
function skipBlankLines(text: string, at: number, stop: number): number {
  let pos = at;
  while (pos < stop) {
    const c = text.charCodeAt(pos);
    if (c !== 13 && c !== 10) break;
    pos++;
  }
  return pos;
}

/** The answers in text[start, stop) between the delimiters of `boundary`, appended to `out` in order. */
function readMultipart(text: string, start: number, stop: number, boundary: string, out: BatchAnswer[]): void {
  const delimiter = `--${boundary}`;
  let at = text.indexOf(delimiter, start);
  // Before the first delimiter is the preamble; after the closing one ("--" then the epilogue) nothing counts.
  while (at >= 0 && at < stop) {
    const partStart = at + delimiter.length;
    if (text.startsWith('--', partStart)) return;
    let next = text.indexOf(delimiter, partStart);
    if (next < 0 || next > stop) next = stop;
    readPart(text, partStart, next, out);
    at = next < stop ? next : -1;
  }
}

/** One MIME part: a change set's answer (multipart again), or one operation's HTTP answer. */
function readPart(text: string, start: number, stop: number, out: BatchAnswer[]): void {
  // The CRLF before a delimiter belongs to the delimiter (RFC 2046), not to the part's content.
  let end = stop;
  if (end > start && text.charCodeAt(end - 1) === 10) end--;
  if (end > start && text.charCodeAt(end - 1) === 13) end--;
  const mime = readHeaders(text, skipBlankLines(text, start, end), end);
  const type = mime.headers['content-type'] ?? '';
  if (/^multipart\/mixed/i.test(type)) {
    const inner = boundaryOf(type);
    if (inner) readMultipart(text, mime.end, end, inner, out);
    return;
  }
  const lineStart = skipBlankLines(text, mime.end, end);
  let eol = text.indexOf('\n', lineStart);
  if (eol < 0 || eol > end) eol = end;
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text.slice(lineStart, Math.min(eol, lineStart + 16)));
  if (!status) return;
  const http = readHeaders(text, Math.min(eol + 1, end), end);
  out.push({ status: Number(status[1]), headers: http.headers, body: text.slice(http.end, end), contentId: mime.headers['content-id'] ?? null });
}

/** The operations' answers of a $batch answer, in order: a change set's answers, a failed change set's error, or a request's answer. */
export function parseBatchAnswer(body: string, contentType: string): BatchAnswer[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const answers: BatchAnswer[] = [];
  readMultipart(body, 0, body.length, boundary, answers);
  return answers;
}
