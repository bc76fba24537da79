import { describe, expect, it } from 'vitest';
import { EtaEstimator } from '../../src/engine/jobs/eta';

/** The runner's ETA must not count paused time as work: after a pause it is what it was before. */
describe('EtaEstimator and pauses', () => {
  it('leaves paused time out of the rate, including a pause still going on', () => {
    let t = 0;
    const eta = new EtaEstimator(() => t);
    eta.update(0);
    t = 10_000;
    expect(eta.update(0.1)).toBeCloseTo(90, 6); // 10 s for 10 %: 90 s left
    eta.pause();
    t = 70_000; // a minute paused
    expect(eta.update(0.1)).toBeCloseTo(90, 6);
    eta.resume();
    t = 80_000;
    expect(eta.update(0.2)).toBeCloseTo(80, 6); // 20 s of work for 20 %
  });

  it('counts pause and resume once each, whatever the order of repeated calls', () => {
    let t = 0;
    const eta = new EtaEstimator(() => t);
    eta.update(0);
    eta.resume(); // not paused: nothing happens
    t = 5_000;
    eta.pause();
    t = 20_000;
    eta.pause(); // already paused: the first pause time holds
    eta.resume();
    t = 25_000;
    expect(eta.update(0.5)).toBeCloseTo(10, 6); // 10 s of work for half
  });
});
