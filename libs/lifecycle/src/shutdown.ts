// How a running service stops: on SIGTERM or SIGINT it closes Nest (the transport drains its consumers, a worker
// finishes or returns the file in hand), then its HTTP endpoint, then drains NATS, and exits 0. A NATS connection
// closed for good while not stopping is fatal: exit 1, and the platform restarts the service.
import type { INestApplicationContext } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import type { HttpEndpoint, Logger } from '@sluice/observability';

export interface RunningService {
  name: string;
  app: INestApplicationContext;
  http?: HttpEndpoint;
  nc: NatsConnection;
  logger: Logger;
}

export function stopOnSignals({ name, app, http, nc, logger }: RunningService): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    try {
      await app.close();
      await http?.close();
      await nc.drain();
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'unclean shutdown');
    }
    logger.info(`${name} stopped`);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  void nc.closed().then((error) => {
    if (stopping) return;
    logger.fatal({ err: error?.message }, 'NATS connection closed for good');
    process.exit(1);
  });
}
