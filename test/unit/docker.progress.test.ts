// The pull stream: NDJSON split across chunks, per-layer progress folded into totals, error events, outcomes.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { eventError, formatBytes, PullStreamParser, PullTracker, type PullEvent } from '../../src/core';
import { fixture } from '../support/paths';

/** Shaped like dockerd 20.10's stream for a three-layer image with one layer already present (test/fixtures/docker). */
const PULL_EVENTS = readFileSync(fixture('docker', 'pull-layers.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as PullEvent);

void describe('PullStreamParser', () => {
  void it('splits lines across chunk boundaries, CRLF too, and keeps a last line without newline', () => {
    const text = PULL_EVENTS.map((e) => JSON.stringify(e)).join('\r\n');
    const p = new PullStreamParser();
    const out: PullEvent[] = [];
    for (let i = 0; i < text.length; i += 7) out.push(...p.push(Buffer.from(text.slice(i, i + 7))));
    out.push(...p.end());
    assert.deepEqual(out, PULL_EVENTS);
  });

  void it('keeps non-JSON lines as status text and skips blank lines', () => {
    const p = new PullStreamParser();
    assert.deepEqual(p.push('\n\nplain text\n[1,2]\n'), [{ status: 'plain text' }, { status: '[1,2]' }]);
    assert.deepEqual(p.end(), []);
  });
});

void describe('PullTracker', () => {
  void it('folds layer events into layers done/total and bytes; cached layers count as done, not as bytes', () => {
    const t = new PullTracker('127.0.0.1:5000/test/app:1.0.0');
    const snaps = PULL_EVENTS.map((e) => {
      assert.equal(t.apply(e), null);
      return t.snapshot();
    });
    assert.equal(snaps[0]?.phase, 'resolving');
    const mid = snaps[6];
    assert.deepEqual(mid?.layers, { total: 3, done: 1, downloading: 2, extracting: 0, cached: 1 });
    assert.deepEqual(mid?.bytes, { current: 500, total: 4000 });
    assert.equal(mid?.phase, 'downloading');
    assert.equal(snaps[9]?.layerDetail.find((l) => l.id === 'bbbbbbbbbbbb')?.extracted, 2000);
    const end = t.snapshot();
    assert.equal(end.phase, 'done');
    assert.deepEqual(end.layers, { total: 3, done: 3, downloading: 0, extracting: 0, cached: 1 });
    assert.deepEqual(end.bytes, { current: 4000, total: 4000 });
    assert.equal(end.digest, 'sha256:1111111111111111111111111111111111111111111111111111111111111111');
    assert.equal(t.outcome, 'downloaded');
    assert.equal(end.status, 'Status: Downloaded newer image for 127.0.0.1:5000/test/app:1.0.0');
    // the "Pulling from" line names the tag, not a layer
    assert.ok(!end.layerDetail.some((l) => l.id === '1.0.0'));
  });

  void it('never goes back: a late Downloading after Download complete keeps the layer downloaded', () => {
    const t = new PullTracker('x');
    t.apply({ status: 'Downloading', progressDetail: { current: 10, total: 100 }, id: 'l1' });
    t.apply({ status: 'Download complete', id: 'l1' });
    t.apply({ status: 'Downloading', progressDetail: { current: 50, total: 100 }, id: 'l1' });
    const s = t.snapshot();
    assert.equal(s.layerDetail[0]?.phase, 'downloaded');
    assert.deepEqual(s.bytes, { current: 100, total: 100 });
    assert.equal(s.phase, 'extracting');
  });

  void it('up to date: outcome up-to-date', () => {
    const t = new PullTracker('x');
    t.apply({ status: 'Pulling from test/app', id: '1.0.0' });
    t.apply({ status: 'Digest: sha256:22' });
    t.apply({ status: 'Status: Image is up to date for 127.0.0.1:5000/test/app:1.0.0' });
    assert.equal(t.outcome, 'up-to-date');
    assert.deepEqual(t.snapshot().layers, { total: 0, done: 0, downloading: 0, extracting: 0, cached: 0 });
  });

  void it('error events: `error` or `errorDetail.message` is returned; normal events give null', () => {
    const t = new PullTracker('x');
    assert.equal(t.apply({ status: 'Pulling from test/app', id: '9' }), null);
    assert.equal(
      t.apply({
        errorDetail: {
          message: 'manifest for 127.0.0.1:5000/test/app:9 not found: manifest unknown: manifest unknown',
        },
        error: 'manifest for 127.0.0.1:5000/test/app:9 not found: manifest unknown: manifest unknown',
      }),
      'manifest for 127.0.0.1:5000/test/app:9 not found: manifest unknown: manifest unknown',
    );
    assert.equal(eventError({ errorDetail: { message: 'only detail' } }), 'only detail');
    assert.equal(eventError({ error: '' }), null);
    assert.equal(eventError({ status: 'Downloading' }), null);
  });

  void it('formatBytes', () => {
    assert.deepEqual([0, 999, 1000, 1_234_567, 123_456_789, 5e12].map(formatBytes), [
      '0 B',
      '999 B',
      '1.0 kB',
      '1.2 MB',
      '123 MB',
      '5.0 TB',
    ]);
  });
});
