// A JetStream cluster of real nats-server processes on loopback, for tests of a replicated bus: each node has its own
// store and routes to the others, and the cluster is ready once its meta leader is elected and every peer is current.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, type ChildServer, freePort, removeOnExit, spawnChildServer, waitUntilReady } from './child-server';
import { resolveNatsBinary } from './nats-server';

const READY_TIMEOUT_MS = 30_000;
const START_ATTEMPTS = 3;

export interface NatsClusterOptions {
  /** Servers in the cluster (default 3). */
  size?: number;
  /** nats-server configuration every node gets besides its own (an `authorization { … }` block, say). */
  config?: string;
  /** Binary name or path; default `$NATS_SERVER_BIN` or `nats-server` from PATH. */
  bin?: string;
}

export interface NatsClusterNode {
  /** Its `server_name`: what JetStream names it in a stream's cluster info (leader, replicas). */
  name: string;
  /** Its own client URL. */
  url: string;
  port: number;
  storeDir: string;
  running(): boolean;
  /** Kills the process (SIGKILL by default: a lost server, no goodbye to its peers); resolves once it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports and store, and waits until it accepts clients. */
  start(): Promise<void>;
}

export interface EmbeddedNatsCluster {
  /** Every node's client URL, comma-separated: a service's NATS_URL. */
  url: string;
  nodes: NatsClusterNode[];
  /** The node of that `server_name`; throws for a name that is not one of ours. */
  node(name: string): NatsClusterNode;
  /** Stops every node (stores kept until this process exits). */
  stop(): Promise<void>;
}

interface NodePorts {
  name: string;
  client: number;
  route: number;
  monitor: number;
}

export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<EmbeddedNatsCluster> {
  const bin = resolveNatsBinary(opts.bin);
  const size = opts.size ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchCluster(bin, size, opts.config ?? '');
    } catch (error) {
      // Someone took one of the free ports between our probe and a node's bind: pick others.
      if (attempt >= START_ATTEMPTS || !/address already in use/i.test(String(error))) throw error;
    }
  }
}

async function launchCluster(bin: string, size: number, extraConfig: string): Promise<EmbeddedNatsCluster> {
  const ports: NodePorts[] = [];
  for (let i = 1; i <= size; i++) ports.push({ name: `nats-${i}`, client: await freePort(), route: await freePort(), monitor: await freePort() });
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
  const nodes = ports.map((p) => clusterNode(bin, p, routes, extraConfig));
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await waitForMetaLeader(ports, nodes);
  } catch (error) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw error;
  }
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return {
    url: nodes.map((n) => n.url).join(','),
    nodes,
    node(name) {
      const found = byName.get(name);
      if (!found) throw new Error(`no node "${name}" in this cluster (nodes: ${[...byName.keys()].join(', ')})`);
      return found;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
    },
  };
}

function clusterNode(bin: string, ports: NodePorts, routes: string[], extraConfig: string): NatsClusterNode & { lastOutput(): string } {
  const dir = mkdtempSync(join(tmpdir(), `sluice-${ports.name}-`));
  removeOnExit(dir);
  const storeDir = join(dir, 'store');
  const configFile = join(dir, 'nats.conf');
  // Its own routes included: nats-server skips a route to itself, and every node gets the same list.
  writeFileSync(
    configFile,
    [
      `server_name: ${ports.name}`,
      `listen: 127.0.0.1:${ports.client}`,
      `http: 127.0.0.1:${ports.monitor}`,
      `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
      `cluster { name: sluice-test, listen: 127.0.0.1:${ports.route}, routes: [${routes.join(', ')}] }`,
      extraConfig,
    ].join('\n'),
  );
  let server: ChildServer | undefined;
  return {
    name: ports.name,
    url: `nats://127.0.0.1:${ports.client}`,
    port: ports.client,
    storeDir,
    running: () => server !== undefined && server.process.exitCode === null && server.process.signalCode === null,
    lastOutput: () => server?.outputTail() ?? '',
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const current = server;
      if (!current || current.process.exitCode !== null || current.process.signalCode !== null) return;
      if (signal === 'SIGTERM') return current.stop(5_000);
      current.process.kill(signal);
      await current.exited;
    },
    async start() {
      const started = await spawnChildServer(bin, ['-c', configFile]);
      server = started;
      await waitUntilReady(started, `${ports.name} (nats-server on port ${ports.client})`, () => canConnect(ports.client), READY_TIMEOUT_MS);
    },
  };
}

interface MetaCluster {
  leader?: string;
  cluster_size?: number;
  replicas?: Array<{ name: string; current: boolean }>;
}

/** Ready = every node names the same meta leader, and that leader sees all its peers current. */
async function waitForMetaLeader(ports: NodePorts[], nodes: Array<{ lastOutput(): string }>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let seen = 'no answer yet';
  for (;;) {
    const metas = await Promise.all(ports.map((p) => metaCluster(p.monitor)));
    const leaders = new Set(metas.map((m) => m?.leader ?? ''));
    const leader = metas[ports.findIndex((p) => p.name === [...leaders][0])];
    if (leaders.size === 1 && !leaders.has('') && leader?.replicas?.length === ports.length - 1 && leader.replicas.every((r) => r.current)) return;
    seen = metas.map((m, i) => `${ports[i].name}: leader ${m?.leader || 'none'}`).join(', ');
    if (Date.now() > deadline) {
      throw new Error(`the NATS cluster elected no meta leader within ${READY_TIMEOUT_MS} ms (${seen}); last node output:\n${nodes.map((n) => n.lastOutput()).join('\n---\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function metaCluster(monitorPort: number): Promise<MetaCluster | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    return ((await response.json()) as { meta_cluster?: MetaCluster }).meta_cluster;
  } catch {
    return undefined;
  }
}
