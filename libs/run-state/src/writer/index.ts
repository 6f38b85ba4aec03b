// The scanner's entry point: the run records' writer and the active-run lease. No other app may import it.
export { RunWriter } from './run.writer';
export { leaseExpired, type LeaseOptions, type LeaseRenewal, type LockResult } from '../lease';
