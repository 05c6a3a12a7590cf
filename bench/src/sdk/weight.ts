/**
 * What each part of the SDK weighs in the script-tag build: every byte of the
 * minified file is charged, through its source map, to the source file it
 * came from, and files are grouped by capability folder (sdk/src/capture,
 * delivery, queue…; core; idb-keyval). gzip does not add up per part, so a
 * part's gzip share is estimated in proportion to its minified bytes.
 */
import { existsSync, readFileSync } from 'node:fs';

interface SourceMap {
  sources: string[];
  mappings: string;
}

export interface PartWeight {
  part: string;
  minifiedBytes: number;
  /** Its share of the minified bytes applied to the file's gzip size. */
  gzipBytesEstimate: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One segment's fields (base64 VLQ, source map v3). */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`not a source map VLQ digit: ${char}`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

/** Minified bytes per source file; bytes before a line's first mapping count as '(unmapped)'. */
export function bytesPerSource(code: string, map: SourceMap): Map<string, number> {
  const totals = new Map<string, number>();
  const charge = (source: string, bytes: number) => totals.set(source, (totals.get(source) ?? 0) + bytes);
  const lines = code.split('\n');
  const mappingLines = map.mappings.split(';');
  let sourceIndex = 0;
  lines.forEach((line, i) => {
    const segments: Array<{ column: number; source: string }> = [];
    let column = 0;
    for (const segment of (mappingLines[i] ?? '').split(',')) {
      if (segment === '') continue;
      const fields = decodeSegment(segment);
      column += fields[0] ?? 0;
      if (fields.length >= 4) {
        sourceIndex += fields[1] ?? 0;
        segments.push({ column, source: map.sources[sourceIndex] ?? '(unmapped)' });
      } else {
        segments.push({ column, source: '(unmapped)' });
      }
    }
    // Columns count UTF-16 units; the built files are ASCII-safe enough that bytes ≈ units.
    charge('(unmapped)', segments[0]?.column ?? line.length);
    segments.forEach((s, k) => charge(s.source, (segments[k + 1]?.column ?? line.length) - s.column));
    charge('(unmapped)', i < lines.length - 1 ? 1 : 0);
  });
  return totals;
}

/** The capability a source file belongs to, from its path in the source map. */
export function partOf(source: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
  if (pkg?.[1]) return pkg[1];
  if (/(^|\/)core\/(dist|src)\//.test(source)) return 'core';
  const own = /(?:^|\/)src\/(.+)$/.exec(source);
  if (own?.[1]) {
    const [first, ...rest] = own[1].split('/');
    return rest.length > 0 ? `${first}/` : (first ?? source).replace(/\.[cm]?[jt]s$/, '');
  }
  return source;
}

/** Parts of the built file, heaviest first; undefined when the build has no source map. */
export function partWeights(file: string, gzipTotal: number): { parts: PartWeight[]; files: Record<string, number> } | undefined {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return undefined;
  const code = readFileSync(file, 'utf8');
  const perSource = bytesPerSource(code, JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMap);
  const perPart = new Map<string, number>();
  for (const [source, bytes] of perSource) perPart.set(partOf(source), (perPart.get(partOf(source)) ?? 0) + bytes);
  const total = code.length;
  const parts = [...perPart]
    .map(([part, minifiedBytes]) => ({ part, minifiedBytes, gzipBytesEstimate: Math.round((minifiedBytes / total) * gzipTotal) }))
    .sort((a, b) => b.minifiedBytes - a.minifiedBytes);
  const files = Object.fromEntries([...perSource].sort((a, b) => b[1] - a[1]).map(([source, bytes]) => [source.replace(/^(\.\.\/)+/, ''), bytes]));
  return { parts, files };
}
