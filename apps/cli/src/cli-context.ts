// What every CLI command needs: validated env, a NATS connection, the topology handles. Closed by the caller.
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { cliEnvSchema, loadEnv } from '@sluice/config';
import { KV } from '@sluice/contracts';
import { connectNats, Publisher, RunStore } from '@sluice/messaging';

export interface CliContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  runs: RunStore;
  publisher: Publisher;
  close(): Promise<void>;
}

export async function openCliContext(env: NodeJS.ProcessEnv = process.env): Promise<CliContext> {
  const config = loadEnv(cliEnvSchema, env);
  const nc = await connectNats(config, 'sluice-cli');
  const jsm = await jetstreamManager(nc);
  const kv = await new Kvm(nc).open(KV.runsBucket);
  return { nc, jsm, runs: new RunStore(kv), publisher: new Publisher(nc), close: () => nc.drain() };
}

/** A run id the CLI picks so it can follow its own run from the first event: `cli-20261125-201850-a1b2`. */
export function newRunId(now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `cli-${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
