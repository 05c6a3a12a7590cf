import { describe, expect, it } from 'vitest';
import { peerCapturePages } from '../../src/sdk/peer-capture.js';
import { peers } from '../../src/sdk/peers.js';

describe('peerCapturePages', () => {
  it('puts every peer the suite measures on the capture page, in the suite\'s order, with the files its page-load install serves', () => {
    const pages = peerCapturePages();
    expect(pages.map((p) => p.name)).toEqual(peers.map((p) => p.name));
    for (const page of pages) {
      expect(page.install.name).toBe(page.name);
      // Every script the head asks for is one the install serves (a file, or under one of its folders).
      const sources = [...page.head('http://127.0.0.1:1').matchAll(/<script async src="([^"]+)"/g)].map((m) => m[1]!);
      expect(sources.length).toBe(1);
      const served = sources.every((src) => page.install.files.some((f) => f.urlPath === src) || page.install.dirs.some((d) => src.startsWith(d.urlPrefix)));
      expect(served).toBe(true);
    }
  });
});
