// What every CLI command needs: validated env, a NATS connection, the topology handles. Closed by the caller.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { cliEnvSchema, loadEnv, natsOptionsOf } from '@sluice/config';
import { KV } from '@sluice/contracts';
import { connectNats, Publisher } from '@sluice/messaging';
import { RunReader } from '@sluice/run-state';

export interface CliContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  runs: RunReader;
  publisher: Publisher;
  close(): Promise<void>;
}

export async function openCliContext(env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
  const nc = await connectNats(natsOptionsOf(loadEnv(cliEnvSchema, env)), 'sluice-cli');
  const jsm = await jetstreamManager(nc);
  const kv = await new Kvm(nc).open(KV.runsBucket);
  return { nc, jsm, runs: new RunReader(kv), publisher: new Publisher(nc), close: () => nc.drain() };
}
