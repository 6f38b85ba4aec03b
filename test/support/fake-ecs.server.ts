// A fake ECS on loopback that speaks the real wire protocols: the ECS JSON 1.1 API the AWS SDK talks to (through an
// endpoint override) for DescribeServices / UpdateService, and each task's agent endpoint for scale-in protection
// (`PUT $ECS_AGENT_URI/task-protection/v1/state`). It behaves like an ECS service: tasks start after a delay,
// desiredCount changes take effect, a scale-in stops unprotected tasks first and never stops a protected one
// (it waits until protection is released or expires), and a task that exits is replaced while desired says so.
// interrupt(taskId) is a Fargate Spot interruption: SIGTERM whatever the task's protection, SIGKILL once the notice
// window (120 s on Fargate, the stop timeout's ceiling) has passed; the service then replaces the task.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TaskHandle {
  /** Resolves when the task's process has exited. */
  exited: Promise<unknown>;
  /** SIGTERM: the task drains and exits by itself. */
  stop(): void;
  /** SIGKILL: what ECS does when the stop timeout (or a Spot notice) runs out. */
  kill?(): void;
}

export interface FakeEcsOptions {
  cluster: string;
  service: string;
  /** How long a task stays PENDING before it runs (a function: drawn for each task, e.g. Fargate's 30–60 s). */
  startDelayMs?: number | (() => number);
  /** A Spot interruption's notice: SIGTERM, then SIGKILL this long after (Fargate: 120 s). */
  spotNoticeMs?: number;
  /** Starts a task's workload; default: no process (a record only). */
  launch?: (taskId: string, agentUri: string) => TaskHandle;
}

interface Task {
  id: string;
  state: 'PENDING' | 'RUNNING' | 'STOPPING';
  protectedUntil: number;
  handle?: TaskHandle;
}

export interface FakeEcsEvent {
  at: number;
  type: 'desired' | 'task_pending' | 'task_started' | 'task_stopping' | 'task_interrupted' | 'task_killed' | 'task_exited' | 'protection';
  taskId?: string;
  desired?: number;
  protected?: boolean;
}

export interface FakeEcs {
  endpoint: string;
  events: FakeEcsEvent[];
  desired(): number;
  tasks(): Array<{ id: string; state: Task['state']; protected: boolean }>;
  /** API calls received, by action (DescribeServices, UpdateService, …), failed ones included. */
  calls: Record<string, number>;
  /** When each API call arrived (ms since the epoch), by action. */
  callTimes: Record<string, number[]>;
  /** The next `times` API calls fail with this error type (e.g. ThrottlingException, AccessDeniedException). */
  failNext(type: string, times?: number): void;
  /**
   * A Fargate Spot interruption of a running task: SIGTERM now, whether or not it holds scale-in protection, and
   * SIGKILL after the notice (spotNoticeMs) if it is still there. The service replaces it while desired says so.
   */
  interrupt(taskId: string): void;
  stop(): Promise<void>;
}

export async function startFakeEcs(opts: FakeEcsOptions): Promise<FakeEcs> {
  let desired = 0;
  const tasks = new Map<string, Task>();
  const events: FakeEcsEvent[] = [];
  const failures: Array<{ type: string; times: number }> = [];
  let port = 0;
  const startDelay = () => (typeof opts.startDelayMs === 'function' ? opts.startDelayMs() : (opts.startDelayMs ?? 300));
  const spotNoticeMs = opts.spotNoticeMs ?? 120_000;
  const calls: Record<string, number> = {};
  const callTimes: Record<string, number[]> = {};
  const killTimers = new Set<NodeJS.Timeout>();
  const isProtected = (t: Task) => t.protectedUntil > Date.now();
  const log = (e: Omit<FakeEcsEvent, 'at'>) => events.push({ at: Date.now(), ...e });

  const serviceView = () => {
    const live = [...tasks.values()];
    return {
      serviceName: opts.service,
      serviceArn: `arn:aws:ecs:us-east-1:000000000000:service/${opts.cluster}/${opts.service}`,
      clusterArn: `arn:aws:ecs:us-east-1:000000000000:cluster/${opts.cluster}`,
      status: 'ACTIVE',
      launchType: 'FARGATE',
      desiredCount: desired,
      runningCount: live.filter((t) => t.state === 'RUNNING').length,
      pendingCount: live.filter((t) => t.state === 'PENDING').length,
    };
  };

  const reconcile = () => {
    const live = [...tasks.values()].filter((t) => t.state !== 'STOPPING');
    for (let i = live.length; i < desired; i += 1) startTask();
    if (live.length > desired) {
      // ECS scale-in: unprotected tasks only; protected ones stay until their protection ends.
      const candidates = live.filter((t) => !isProtected(t)).sort((a, b) => (a.state === 'PENDING' ? -1 : b.state === 'PENDING' ? 1 : 0));
      for (const task of candidates.slice(0, live.length - desired)) stopTask(task);
    }
  };

  const startTask = () => {
    const task: Task = { id: randomUUID().slice(0, 8), state: 'PENDING', protectedUntil: 0 };
    tasks.set(task.id, task);
    log({ type: 'task_pending', taskId: task.id });
    setTimeout(() => {
      if (task.state !== 'PENDING') return;
      task.state = 'RUNNING';
      log({ type: 'task_started', taskId: task.id });
      task.handle = opts.launch?.(task.id, `http://127.0.0.1:${port}/agent/${task.id}`);
      void task.handle?.exited.then(() => {
        tasks.delete(task.id);
        log({ type: 'task_exited', taskId: task.id });
        reconcile(); // ECS replaces a task that stopped while the service still wants it
      });
    }, startDelay());
  };

  const interrupt = (taskId: string) => {
    const task = tasks.get(taskId);
    if (!task?.handle || task.state !== 'RUNNING') throw new Error(`fake ECS: task ${taskId} is not running`);
    log({ type: 'task_interrupted', taskId, protected: isProtected(task) });
    task.state = 'STOPPING';
    task.handle.stop();
    const handle = task.handle;
    const timer = setTimeout(() => {
      killTimers.delete(timer);
      if (!tasks.has(taskId)) return;
      log({ type: 'task_killed', taskId });
      handle.kill?.();
    }, spotNoticeMs);
    killTimers.add(timer);
    void handle.exited.then(() => {
      clearTimeout(timer);
      killTimers.delete(timer);
    });
    reconcile(); // the service starts a replacement at once
  };

  const stopTask = (task: Task) => {
    log({ type: 'task_stopping', taskId: task.id, protected: isProtected(task) });
    if (task.state === 'PENDING' || !task.handle) {
      tasks.delete(task.id);
      if (task.state !== 'PENDING') log({ type: 'task_exited', taskId: task.id });
      return;
    }
    task.state = 'STOPPING';
    task.handle.stop();
  };

  const timer = setInterval(reconcile, 200); // protection expiry and releases are picked up here

  const api = (target: string, body: Record<string, unknown>): { status: number; json: unknown } => {
    calls[target] = (calls[target] ?? 0) + 1;
    (callTimes[target] ??= []).push(Date.now());
    const failure = failures[0];
    if (failure) {
      if (--failure.times <= 0) failures.shift();
      return { status: 400, json: { __type: failure.type, message: `fake ECS: ${failure.type}` } };
    }
    const services = (body.services as string[] | undefined) ?? [body.service as string];
    const known = body.cluster === opts.cluster && services.every((s) => s === opts.service);
    switch (target) {
      case 'DescribeServices':
        if (!known) return { status: 200, json: { services: [], failures: [{ arn: services[0], reason: 'MISSING' }] } };
        return { status: 200, json: { services: [serviceView()], failures: [] } };
      case 'UpdateService':
        if (!known) return { status: 400, json: { __type: 'ServiceNotFoundException', message: 'Service not found.' } };
        desired = Number(body.desiredCount);
        log({ type: 'desired', desired });
        reconcile();
        return { status: 200, json: { service: serviceView() } };
      default:
        return { status: 400, json: { __type: 'UnknownOperationException', message: target } };
    }
  };

  const agent = (taskId: string, method: string, body: Record<string, unknown>): { status: number; json: unknown } => {
    const task = tasks.get(taskId);
    if (!task) return { status: 404, json: { error: { Code: 'TASK_NOT_FOUND' } } };
    if (method === 'PUT') {
      const on = body.ProtectionEnabled === true;
      task.protectedUntil = on ? Date.now() + Number(body.ExpiresInMinutes ?? 120) * 60_000 : 0;
      log({ type: 'protection', taskId, protected: on });
      if (!on) reconcile();
    }
    return {
      status: 200,
      json: { protection: { ProtectionEnabled: isProtected(task), ExpirationDate: isProtected(task) ? new Date(task.protectedUntil).toISOString() : null, TaskArn: task.id } },
    };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const agentPath = /^\/agent\/([^/]+)\/task-protection\/v1\/state$/.exec(req.url ?? '');
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      const answer = agentPath ? agent(agentPath[1], req.method ?? 'GET', body) : api(target, body);
      res.writeHead(answer.status, { 'content-type': agentPath ? 'application/json' : 'application/x-amz-json-1.1' }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    desired: () => desired,
    tasks: () => [...tasks.values()].map((t) => ({ id: t.id, state: t.state, protected: isProtected(t) })),
    calls,
    callTimes,
    failNext: (type, times = 1) => void failures.push({ type, times }),
    interrupt,
    async stop() {
      clearInterval(timer);
      for (const t of killTimers) clearTimeout(t);
      for (const t of tasks.values()) t.handle?.stop();
      await Promise.all([...tasks.values()].map((t) => t.handle?.exited));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
