import { describe, expect, it } from 'vitest';
import { desiredWorkers, type ScalingConfig } from './scaling-policy';

const config: ScalingConfig = { min: 0, max: 4, filesPerWorker: 2, idleTimeoutMs: 10_000 };
const desired = (backlog: number, idleForMs: number, current: number, c = config) => desiredWorkers({ backlog, idleForMs, current }, c).desired;

describe('desiredWorkers', () => {
  it('stays at zero when there is nothing to do', () => {
    expect(desired(0, 0, 0)).toBe(0);
    expect(desired(0, 60_000, 0)).toBe(0);
  });

  it('scales up to ceil(backlog / filesPerWorker), capped at max', () => {
    expect(desired(1, 0, 0)).toBe(1);
    expect(desired(3, 0, 0)).toBe(2);
    expect(desired(8, 0, 1)).toBe(4);
    expect(desired(500, 0, 0)).toBe(4);
  });

  it('does not scale in while a backlog remains', () => {
    expect(desired(1, 0, 4)).toBe(4);
  });

  it('keeps workers through a short gap, then goes to min after the idle timeout', () => {
    expect(desired(0, 9_999, 3)).toBe(3);
    expect(desired(0, 10_000, 3)).toBe(0);
    expect(desired(0, 10_000, 3, { ...config, min: 1 })).toBe(1);
  });

  it('respects min even with no backlog and clamps a current count above max', () => {
    expect(desired(0, 0, 0, { ...config, min: 2 })).toBe(2);
    expect(desired(1, 0, 9)).toBe(4);
  });

  it('says why', () => {
    expect(desiredWorkers({ backlog: 5, idleForMs: 0, current: 0 }, config).reason).toMatch(/backlog 5/);
    expect(desiredWorkers({ backlog: 0, idleForMs: 20_000, current: 2 }, config).reason).toMatch(/idle/);
  });
});
