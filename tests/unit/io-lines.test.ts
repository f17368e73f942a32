import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.js';
import { type Line, readLineBatches } from '../../src/io/lines.js';
import { LocalStorage } from '../../src/io/local-storage.js';

/** The reference: each line decoded alone (the reader's rules, written plainly). */
function referenceLines(bytes: Buffer, maxLineBytes: number): Line[] {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  const out: Line[] = [];
  let lineNumber = 0;
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    const last = nl === -1;
    if (last) nl = bytes.length;
    lineNumber++;
    if (nl - start > maxLineBytes) out.push({ lineNumber, text: '', tooLong: true, invalidUtf8: false });
    else {
      let end = nl;
      if (end > start && bytes[end - 1] === 0x0d) end--;
      if (end > start) {
        const text = decoder.decode(bytes.subarray(start, end));
        out.push({ lineNumber, text, tooLong: false, invalidUtf8: text.includes('\uFFFD') });
      }
    }
    start = nl + 1;
  }
  return out;
}

async function readAll(bytes: Buffer, cuts: number[], maxLineBytes: number): Promise<Line[]> {
  async function* chunks(): AsyncIterable<Uint8Array> {
    let prev = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut > prev) yield bytes.subarray(prev, cut);
      prev = cut;
    }
  }
  const out: Line[] = [];
  for await (const batch of readLineBatches(chunks(), { maxLineBytes })) out.push(...batch);
  return out;
}

const PIECES = [
  '{"a":"x,1.5"}',
  'plain',
  '',
  '\r',
  'é',
  '日本',
  '😀',
  '\uFEFF',
  '\uFFFD',
  'a\rb',
  'x'.repeat(40),
];
const RAW = [
  Buffer.from([0xe2, 0x82]), // truncated 3-byte sequence
  Buffer.from([0xff]),
  Buffer.from([0xc3]),
  Buffer.from([0xef, 0xbb, 0xbf]), // BOM
  Buffer.from([0xf0, 0x9f, 0x98]),
];

describe('readLineBatches', () => {
  // Guards any faster decoding (e.g. one decode per chunk, tried in issue 15): a BOM, U+FFFD, broken
  // sequences, \r, empty and too-long lines must come out as when each line is decoded alone.
  it('gives the lines of decoding each line alone, whatever the chunking (random and adversarial bytes)', async () => {
    const random = mulberry32(15);
    for (let trial = 0; trial < 600; trial++) {
      const parts: Buffer[] = [];
      const count = 1 + Math.floor(random() * 30);
      const clean = trial % 3 === 0; // many runs without any odd byte take the fast path
      for (let i = 0; i < count; i++) {
        const r = random();
        if (!clean && r < 0.15) parts.push(RAW[Math.floor(random() * RAW.length)]!);
        else parts.push(Buffer.from(PIECES[Math.floor(random() * (clean ? 7 : PIECES.length))]!));
        if (random() < 0.35) parts.push(Buffer.from(random() < 0.2 ? '\r\n' : '\n'));
      }
      const bytes = Buffer.concat(parts);
      const cuts: number[] = [];
      const nCuts = Math.floor(random() * 6);
      for (let i = 0; i < nCuts; i++) cuts.push(Math.floor(random() * bytes.length));
      cuts.sort((a, b) => a - b);
      const maxLineBytes = random() < 0.3 ? 1 + Math.floor(random() * 30) : 1 << 20;
      expect(await readAll(bytes, cuts, maxLineBytes), `trial ${trial}`).toEqual(
        referenceLines(bytes, maxLineBytes),
      );
    }
  });
});

describe('LocalStorage.readStream', () => {
  it('reads a file in chunks of 256 KiB (64 KiB ones cost a thread-pool round trip each; 1 MiB ones a full GC every ~15 MB)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-chunks-'));
    try {
      const path = join(dir, 'capture.jsonl');
      writeFileSync(path, Buffer.alloc(3 << 20, 0x61));
      const sizes: number[] = [];
      for await (const chunk of await new LocalStorage().readStream(path))
        sizes.push((chunk as Buffer).length);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(3 << 20);
      expect(Math.max(...sizes)).toBe(1 << 18);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
