// Logs the NATS connection's ups and downs, and keeps `connection.up` current for the readiness check.
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@sluice/observability';

export async function watchConnection(nc: NatsConnection, logger: Logger, connection: { up: boolean }): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') {
      connection.up = false;
      logger.warn({ server: status.server }, 'NATS disconnected; reconnecting');
    } else if (status.type === 'reconnect') {
      connection.up = true;
      logger.info({ server: status.server }, 'NATS reconnected');
    }
    else if (status.type === 'error') logger.warn({ err: String(status.error) }, 'NATS error');
  }
}
