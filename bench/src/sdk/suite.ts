/**
 * The `sdk` suite: what the browser SDK weighs (the script-tag IIFE, and the
 * ESM entry bundled with its dependencies), what a captured click costs the
 * main thread and whether a busy session causes long tasks, measured in
 * Debian's Chromium; and, the same way, the script-tag builds of other SDKs.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumPath, repoRoot } from '@sessionflow/infra';
import { type SuiteResult } from '../results.js';
import { round } from '../stats.js';
import { captureCost, type CaptureOptions } from './capture-cost.js';
import { requireSdkBuild, sdkEsm, sdkIife, sdkLazyChunk } from './files.js';
import { startPageServer, type PageServer } from './page-server.js';
import { peerCapturePages } from './peer-capture.js';
import { measurePeer, peers, type PeerSize } from './peers.js';
import { announcePageCost, pageCost as measurePageCost, printPageCost, pageCostContext, pageCostFigures, type PageCostOptions } from './page-cost/report.js';
import { scriptedSession } from './session.js';
import { bundleEsm, gzipBytes } from './size.js';
import { installs } from './page-cost/installs.js';
import { pageCostOptions } from './page-cost/options.js';
import { partWeights } from './weight.js';

export interface SdkOptions extends CaptureOptions {
  sessionInteractions: number;
  page: PageCostOptions;
}

export const defaultSdkOptions: SdkOptions = {
  samples: Number(process.env.BENCH_SDK_SAMPLES ?? 2000),
  warmupSamples: 200,
  sessionInteractions: Number(process.env.BENCH_SDK_INTERACTIONS ?? 2000),
  page: pageCostOptions(process.env),
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const rel = (file: string) => path.relative(repoRoot, file);

function sizes() {
  const iife = readFileSync(sdkIife);
  const iifeGzip = gzipBytes(iife);
  console.log(`  size: ${rel(sdkIife)}: ${iife.length} bytes minified, ${iifeGzip} gzip -9 (${kb(iifeGzip)})`);
  const weights = partWeights(sdkIife, iifeGzip);
  if (weights) {
    console.log('  weight by part (minified bytes via the source map; gzip share in proportion):');
    for (const p of weights.parts) {
      console.log(`    ${p.part.padEnd(14)} ${String(p.minifiedBytes).padStart(6)} B  ~${String(p.gzipBytesEstimate).padStart(5)} B gzip  ${((p.minifiedBytes / iife.length) * 100).toFixed(1)}%`);
    }
  }
  const lazy = readFileSync(sdkLazyChunk);
  const lazyGzip = gzipBytes(lazy);
  console.log(`  size: ${rel(sdkLazyChunk)} (the renderers of actions, loaded beside the script when the first action arrives): ${lazy.length} bytes minified, ${lazyGzip} gzip -9 (${kb(lazyGzip)})`);
  return { iifeBytes: iife.length, iifeGzip, lazyBytes: lazy.length, lazyGzip, weights };
}

async function esmSize() {
  const code = await bundleEsm(sdkEsm);
  const gzip = gzipBytes(code);
  console.log(`  size: ${rel(sdkEsm)} bundled with its dependencies: ${Buffer.byteLength(code)} bytes minified, ${gzip} gzip -9 (${kb(gzip)})`);
  return { bytes: Buffer.byteLength(code), gzip };
}

async function peerSizes(): Promise<PeerSize[]> {
  const measured: PeerSize[] = [];
  for (const peer of peers) {
    const size = await measurePeer(peer);
    const minified = peer.minify ? `, ${size.minifiedBytes} minified here (shipped unminified)` : '';
    const bound = peer.lazyLoads ? ' — lower bound: it loads more code at run time' : '';
    console.log(`  peer ${peer.name} ${size.version}: ${size.file}: ${size.rawBytes} bytes${minified}, ${size.gzipBytes} gzip -9 (${kb(size.gzipBytes)})${bound}`);
    measured.push(size);
  }
  return measured;
}

export async function sdkSuite(o: SdkOptions = defaultSdkOptions): Promise<SuiteResult> {
  requireSdkBuild();
  const own = sizes();
  const esm = await esmSize();
  const peerSize = await peerSizes();

  let server: PageServer | undefined;
  try {
    const capturePeers = peerCapturePages();
    server = await startPageServer(sdkIife, capturePeers);
    const pages = server;
    console.log(`  chromium: ${chromiumPath()}, a fresh profile per page; pages on ${server.origin}`);
    console.log(
      `  capture cost: ${o.samples} clicks, one per task (after ${o.warmupSamples} warm-up clicks), on the page without any script, with the SDK, then with each peer (${capturePeers.map((p) => p.name).join(', ')})…`,
    );
    const capture = await captureCost(
      {
        withSdk: server.withSdkUrl,
        withoutSdk: server.withoutSdkUrl,
        peers: capturePeers.map((p) => ({ name: p.name, url: pages.peerUrls.get(p.name)!, ready: p.ready })),
        posts: () => pages.otherPosts(),
      },
      o,
      (what) => console.log(`    … ${what}`),
    );
    const clicks = server.received.get('click') ?? 0;
    // A figure from a page where the SDK captured nothing would measure nothing.
    if (clicks === 0) throw new Error('the SDK delivered no click events to the collect stub during the capture run; its figure would be meaningless');
    console.log(
      `  capture cost: p50 ${round(capture.withSdkP50, 4)} ms per click with the SDK, ${round(capture.withoutSdkP50, 4)} ms without` +
        `${capture.isolated ? '' : ' (page NOT cross-origin isolated: 100 µs timer grain)'}; ${clicks} click events arrived`,
    );
    console.log(`  main thread: ${round(capture.mainThreadPerEvent, 4)} ms per click over the whole run (deferred writes and sends included), with minus without`);
    for (const peer of capture.peers) {
      // A peer that sent nothing home captured nothing: its figure would measure nothing.
      if (peer.posts === 0) throw new Error(`peer ${peer.name} sent nothing home from its first click on; its capture figure would measure nothing`);
      console.log(
        `  capture cost, peer ${peer.name}: p50 ${round(peer.p50, 4)} ms per click (${round(peer.perEventP50, 4)} ms over the page without any script; ours ${round(capture.perEventP50, 4)}), ` +
          `p90 ${round(peer.p90, 4)}; main thread ${round(peer.mainThreadPerEvent, 4)} ms per click; ${peer.posts} requests sent home`,
      );
    }

    console.log(`  long tasks: a scripted session of ${o.sessionInteractions} interactions, without the SDK, then with it…`);
    const baseline = await scriptedSession(server.withoutSdkUrl, false, o.sessionInteractions);
    const received = server.requests();
    const session = await scriptedSession(server.withSdkUrl, true, o.sessionInteractions);
    console.log(
      `  long tasks: ${session.longTasks} with the SDK (longest ${round(session.longestTaskMs)} ms, ${round(session.seconds, 1)} s session), ` +
        `${baseline.longTasks} without; ${server.requests() - received} collect requests during the session`,
    );

    announcePageCost(o.page, installs().map((i) => i.name));
    const page = await measurePageCost(sdkIife, o.page);
    printPageCost(page, o.page);
    const pageFigures = pageCostFigures(page);

    const peerCapture = new Map(capture.peers.map((p) => [p.name, p]));
    const peerFigures = Object.fromEntries(
      peerSize.flatMap((p) => [
        [`peer.${p.peer.name}.gzip_bytes`, { value: p.gzipBytes, unit: 'bytes' }],
        [`peer.${p.peer.name}.capture_ms_per_event_p50`, { value: round(peerCapture.get(p.peer.name)!.perEventP50, 4), unit: 'ms' }],
        ...Object.entries(pageFigures.peers[p.peer.name] ?? {}),
      ]),
    );
    return {
      suite: 'sdk',
      figures: {
        'sdk.iife_gzip_bytes': { value: own.iifeGzip, unit: 'bytes' },
        'sdk.lazy_chunk_gzip_bytes': { value: own.lazyGzip, unit: 'bytes' },
        'sdk.esm_gzip_bytes': { value: esm.gzip, unit: 'bytes' },
        'sdk.capture_ms_per_event_p50': { value: round(capture.perEventP50, 4), unit: 'ms' },
        'sdk.main_thread_ms_per_event': { value: round(capture.mainThreadPerEvent, 4), unit: 'ms' },
        'sdk.long_tasks': { value: session.longTasks, unit: 'tasks' },
        ...pageFigures.sdk,
        ...peerFigures,
      },
      context: {
        node: process.version,
        cpus: os.cpus().length,
        chromium: capture.chromiumVersion,
        gzip: 'node:zlib gzipSync level 9',
        iife: { file: rel(sdkIife), minifiedBytes: own.iifeBytes },
        lazyChunk: { file: rel(sdkLazyChunk), minifiedBytes: own.lazyBytes, loaded: 'by the script, from beside itself, when the first action of a kind it renders arrives' },
        esm: {
          file: rel(sdkEsm),
          minifiedBytes: esm.bytes,
          note: 'bundled in memory by rollup with @rollup/plugin-node-resolve (browser) and @rollup/plugin-terser (the SDK\'s own terser settings)',
        },
        weightByPart: own.weights?.parts,
        weightBySource: own.weights?.files,
        capture: {
          samples: o.samples,
          warmupSamples: o.warmupSamples,
          withSdkP50Ms: round(capture.withSdkP50, 4),
          withoutSdkP50Ms: round(capture.withoutSdkP50, 4),
          withSdkP90Ms: round(capture.withSdkP90, 4),
          withoutSdkP90Ms: round(capture.withoutSdkP90, 4),
          crossOriginIsolated: capture.isolated,
          peers: Object.fromEntries(
            capture.peers.map((p) => [
              p.name,
              { p50Ms: round(p.p50, 4), p90Ms: round(p.p90, 4), mainThreadMsPerEvent: round(p.mainThreadPerEvent, 4), requestsSentHome: p.posts },
            ]),
          ),
          peerClickCapture: 'a capture-phase document listener calling each peer\'s own track call with the card\'s product (bench/src/sdk/peer-capture.ts); requestsSentHome counts from the first click on',
          note: 'one synthetic click on a product button per task, timed from dispatch until its microtasks drained; the work it leaves for later tasks (the batched IndexedDB write, the send) is not in that figure but is in sdk.main_thread_ms_per_event (Chromium TaskDuration over the whole run, per click, with minus without)',
        },
        session: {
          interactions: session.interactions,
          longTasksWithSdk: session.longTasks,
          longestTaskMsWithSdk: round(session.longestTaskMs),
          longTasksWithSdkList: session.taskList,
          longTasksWithoutSdk: baseline.longTasks,
          longestTaskMsWithoutSdk: round(baseline.longestTaskMs),
          loadLongTasksWithSdk: session.loadLongTasks,
          loadLongTasksWithoutSdk: baseline.loadLongTasks,
          secondsWithSdk: round(session.seconds, 1),
          secondsWithoutSdk: round(baseline.seconds, 1),
        },
        collectStub: { requests: server.requests(), eventsByType: Object.fromEntries(server.received) },
        pageCost: pageCostContext(page, o.page),
        peers: Object.fromEntries(
          peerSize.map((p) => [
            p.peer.name,
            {
              package: `${p.peer.pkg}@${p.version}`,
              file: p.file,
              rawBytes: p.rawBytes,
              ...(p.peer.minify ? { minifiedHereBytes: p.minifiedBytes } : {}),
              lowerBound: p.peer.lazyLoads,
              leavesOut: p.peer.leavesOut,
            },
          ]),
        ),
      },
    };
  } finally {
    await server?.close();
  }
}
