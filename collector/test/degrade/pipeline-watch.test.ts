import { describe, expect, it } from 'vitest';
import { PIPELINE_SILENT } from '../../src/degrade/degradation-view.js';
import { pipelineWatch, REPORTS_CACHE_MS } from '../../src/degrade/pipeline-watch.js';
import { pipelineReportsKey } from '../../src/degrade/pipeline-report.js';
import { createLogger } from '../../src/log.js';

const T = 1_750_000_000_000;

/** The reports' hash as Redis would answer it, and how often it was asked. */
class FakeReports {
  reads = 0;
  keys: string[] = [];
  hash: Record<string, string> = {};
  failWith: Error | null = null;
  hGetAll(key: string): Promise<Record<string, string>> {
    this.reads++;
    this.keys.push(key);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve({ ...this.hash });
  }
}

const quiet = createLogger('error', () => undefined);

describe("the collector's view of the pipeline's reports", () => {
  it(`reads the one key at most once per ${REPORTS_CACHE_MS} ms however many ask`, async () => {
    const store = new FakeReports();
    store.hash = { a: JSON.stringify({ level: 'popularity', reason: 'lag_s', lagS: 6, at: T }) };
    const watch = pipelineWatch(store, 'shop', quiet);
    const answers = await Promise.all([watch.part(T), watch.part(T), watch.part(T + 10)]);
    expect(answers.map((a) => a?.level)).toEqual(['popularity', 'popularity', 'popularity']);
    expect(await watch.part(T + REPORTS_CACHE_MS - 1)).toMatchObject({ level: 'popularity' });
    expect(store.reads).toBe(1);
    expect(store.keys).toEqual([pipelineReportsKey('shop')]);
    store.hash = { a: JSON.stringify({ level: 'full', reason: null, lagS: 0, at: T + 1_000 }) };
    expect(await watch.part(T + REPORTS_CACHE_MS)).toEqual({ level: 'full', lagS: 0, at: T + 1_000 });
    expect(store.reads).toBe(2);
  });

  it('is null for a stack whose pipeline never reported, and silent once the reports went after one was seen', async () => {
    const store = new FakeReports();
    const watch = pipelineWatch(store, 'shop', quiet, 0);
    expect(await watch.part(T)).toBeNull();
    store.hash = { a: JSON.stringify({ level: 'full', reason: null, lagS: 0, at: T }) };
    expect(await watch.part(T + 1)).toMatchObject({ level: 'full' });
    store.hash = {}; // the key expired: no instance reports any more
    expect(await watch.part(T + 16_000)).toEqual({ level: 'popularity', reason: PIPELINE_SILENT, at: T });
  });

  it('keeps the last reports while Redis cannot be read, so they age into silence, and says so once', async () => {
    const store = new FakeReports();
    const lines: string[] = [];
    const watch = pipelineWatch(store, 'shop', createLogger('warn', (line) => lines.push(line)), 0);
    store.hash = { a: JSON.stringify({ level: 'full', reason: null, lagS: 0, at: T }) };
    await watch.part(T);
    store.failWith = new Error('The client is offline');
    expect(await watch.part(T + 2_000)).toMatchObject({ level: 'full' });
    expect(await watch.part(T + 10_001)).toMatchObject({ level: 'popularity', reason: PIPELINE_SILENT });
    expect(lines.filter((l) => l.includes('reading the pipeline reports failed'))).toHaveLength(1);
  });

  it('ignores a value no pipeline writes', async () => {
    const store = new FakeReports();
    store.hash = { a: 'garbage', b: JSON.stringify({ level: 'live_only', reason: 'lag_s', lagS: 31, at: T }) };
    expect(await pipelineWatch(store, 'shop', quiet).part(T)).toEqual({ level: 'live_only', reason: 'lag_s', lagS: 31, at: T });
  });
});
