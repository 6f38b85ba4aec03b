// `@sluice/messaging/nest`: JetStream as a Nest microservice transport (the server, the handler's context, the error
// filter), for the services. Apart from the library's index so that what needs only the bus — the CLI, tests —
// does not load Nest and rxjs (`sluice status` loads in half the time).
export * from './jetstream.context';
export * from './jetstream.server';
export * from './rpc-errors.filter';
