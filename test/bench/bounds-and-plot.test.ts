/** The benchmark's pure parts: Kumar–Ross bounds, order statistics, the SVG writer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bounds, uniformBounds } from '../../bench/lib/kumar-ross.ts';
import { median, quantile, round } from '../../bench/lib/stats.ts';
import { completionSteps, niceStep, renderChart } from '../../bench/lib/svg-plot.ts';
import { renderBars } from '../../bench/lib/svg-bars.ts';

const MiB = 2 ** 20;

describe('Kumar–Ross bounds', () => {
  it('16 nodes, 32 MiB, 20 Mbit/s everywhere: the server (= slowest download) term binds', () => {
    const b = uniformBounds(32 * MiB, 16, 20e6);
    const fBits = 32 * MiB * 8;
    assert.equal(b.terms.server, fBits / 20e6);
    assert.equal(b.terms.aggregate, (16 * fBits) / (17 * 20e6));
    assert.equal(b.tMin, fBits / 20e6);
    assert.equal(b.bindingTerm, 'server');
    assert.equal(b.tCentral, (16 * fBits) / 20e6);
    assert.equal(round(b.tMin, 2), 13.42);
  });

  it('the aggregate term binds when peers upload little', () => {
    const b = bounds({
      fileBytes: MiB,
      serverUpBps: 100e6,
      peerUpBps: [1e6, 1e6, 1e6, 1e6],
      peerDownBps: [1e9, 1e9, 1e9, 1e9],
    });
    assert.equal(b.bindingTerm, 'aggregate');
    assert.equal(b.tMin, (4 * MiB * 8) / 104e6);
  });

  it('the slowest download binds when one peer has a thin pipe', () => {
    const b = bounds({
      fileBytes: MiB,
      serverUpBps: 100e6,
      peerUpBps: [50e6, 50e6],
      peerDownBps: [100e6, 1e6],
    });
    assert.equal(b.bindingTerm, 'download');
    assert.equal(b.tMin, (MiB * 8) / 1e6);
  });

  it('refuses nonsense input', () => {
    assert.throws(() => uniformBounds(0, 16, 20e6), RangeError);
    assert.throws(() => uniformBounds(MiB, 0, 20e6), RangeError);
    assert.throws(
      () => bounds({ fileBytes: 1, serverUpBps: 1, peerUpBps: [1], peerDownBps: [] }),
      RangeError,
    );
  });
});

describe('stats', () => {
  it('median and quantiles interpolate; empty gives NaN', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([1, 2, 3, 4]), 2.5);
    assert.equal(quantile([0, 10], 0.9), 9);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('SVG chart', () => {
  it('completion steps count nodes done in time order, skipping unfinished ones', () => {
    assert.deepEqual(completionSteps([5, 2, Infinity, 3]), [
      [0, 0],
      [2, 1],
      [3, 2],
      [5, 3],
    ]);
  });

  it('nice tick steps are 1, 2 or 5 times a power of ten', () => {
    assert.equal(niceStep(60), 10);
    assert.equal(niceStep(230), 50);
    assert.equal(niceStep(7, 5), 2);
  });

  it('renders both series, the markers and escaped labels in one well-formed svg element', () => {
    const svg = renderChart({
      title: 'a < b & c',
      xLabel: 's',
      yLabel: 'nodes',
      series: [
        { label: 'p2p', color: '#00f', points: completionSteps([10, 12]), step: true },
        { label: 'central', color: '#f00', points: completionSteps([100, 200]), step: true },
      ],
      markers: [{ label: 'T_min 13.4 s', x: 13.4 }],
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);
    assert.equal((svg.match(/<path /g) ?? []).length, 2);
    assert.ok(svg.includes('a &lt; b &amp; c'));
    assert.ok(svg.includes('T_min 13.4 s'));
    assert.ok(!/NaN|Infinity/.test(svg), 'no non-finite coordinates');
    assert.equal((svg.match(/<svg/g) ?? []).length, 1);
  });
});

describe('SVG bar chart', () => {
  it('one bar per finite value, values printed, labels escaped, limit line drawn', () => {
    const svg = renderBars({
      title: 'a <b>',
      yLabel: 'MiB',
      categories: ['x', 'y&z'],
      series: [
        { label: 'before', color: '#f00', values: [650, NaN] },
        { label: 'after', color: '#00f', values: [0.1, 5.5] },
      ],
      limit: { label: '64 MiB bound', y: 64 },
    });
    assert.equal(svg.match(/<rect x="[\d.]+" y="[\d.]+" width/g)?.length, 3 + 2, '3 bars + 2 legend keys');
    assert.ok(svg.includes('>650<') && svg.includes('>5.5<'));
    assert.ok(svg.includes('a &lt;b&gt;') && svg.includes('y&amp;z'));
    assert.ok(svg.includes('stroke-dasharray') && svg.includes('64 MiB bound'));
  });
});
