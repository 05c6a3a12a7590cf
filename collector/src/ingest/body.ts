/**
 * Reads a request body while enforcing a byte limit, before anything parses it.
 *
 * Why not hono's `bodyLimit`: it touches `request.body`, which makes
 * @hono/node-server build a web stream for every request and skip its direct
 * read of the Node request. Here a declared Content-Length is checked first and
 * the body is then read on that fast path (Node's HTTP parser never delivers
 * more bytes than the declared length); without one (chunked), the stream is
 * counted as it arrives and abandoned as soon as it passes the limit.
 */

/** The body bytes, or `null` when the body is larger than `maxBytes`. */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  const declared = request.headers.get('content-length');
  if (declared !== null && !request.headers.has('transfer-encoding')) {
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0 || length > maxBytes) return null;
    const bytes = new Uint8Array(await request.arrayBuffer());
    return bytes.byteLength > maxBytes ? null : bytes;
  }
  return readStreamWithin(request.body, maxBytes);
}

async function readStreamWithin(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
