// Injection tokens for values that are not classes.
export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const LOGGER = Symbol('LOGGER');
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const JETSTREAM_MANAGER = Symbol('JETSTREAM_MANAGER');
