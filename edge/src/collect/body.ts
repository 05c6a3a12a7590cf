/**
 * Reading a collect body safely: refuse oversized bodies before parsing, by the
 * declared Content-Length when there is one and by counting bytes as they
 * stream in (so a missing or lying Content-Length changes nothing), then check
 * the media type and parse JSON.
 */
import { EdgeError } from '../errors.js';

/** `text/plain` is accepted so `navigator.sendBeacon` can post without a CORS preflight. */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'text/plain'] as const;

function tooLarge(maxBytes: number): EdgeError {
  return new EdgeError(413, 'payload_too_large', `body is larger than the limit of ${maxBytes} bytes`);
}

/** The body's bytes, or a 413 as soon as more than `maxBytes` arrived. */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let over = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    // Past the limit nothing is kept, but the rest is read to the end rather
    // than cancelled: a request answered before its body was consumed breaks
    // the connection behind it in local workerd (wrangler dev answers the next
    // request with a 503), and the platform already caps how much can arrive.
    if (size > maxBytes) over = true;
    else chunks.push(value);
  }
  if (over) throw tooLarge(maxBytes);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function checkMediaType(contentType: string | undefined): void {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (!(ACCEPTED_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    const got = contentType ? `got ${JSON.stringify(contentType)}` : 'no Content-Type header';
    throw new EdgeError(415, 'unsupported_media_type', `Content-Type must be application/json or text/plain (${got})`);
  }
}

export function parseJsonBody(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new EdgeError(400, 'invalid_json', 'body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EdgeError(400, 'invalid_json', `body is not valid JSON: ${(err as Error).message}`);
  }
}
