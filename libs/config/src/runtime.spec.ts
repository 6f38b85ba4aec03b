import { describe, expect, it } from 'vitest';
import { unsupportedRuntime } from './runtime';

describe('unsupportedRuntime', () => {
  it('accepts Node 24 and later', () => {
    expect(unsupportedRuntime('24.11.0')).toBeUndefined();
    expect(unsupportedRuntime('26.0.0')).toBeUndefined();
  });

  it('refuses Node 20 and 22 with how to get 24', () => {
    expect(unsupportedRuntime('20.20.2')).toMatch(/Node\.js 20\.20\.2 is not supported: sluice needs Node\.js 24 .*npm run sluice/);
    expect(unsupportedRuntime('22.12.0')).toMatch(/not supported/);
  });

  it('this test itself runs on the supported runtime (npm scripts put the `node` dev dependency first on PATH)', () => {
    expect(unsupportedRuntime()).toBeUndefined();
  });
});
