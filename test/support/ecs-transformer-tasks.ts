// Real transformer processes as the tasks of the fake ECS service: each task gets the harness's transformer
// environment, its agent endpoint (scale-in protection) and a worker id naming the task, and logs beside the services.
import { join } from 'node:path';
import { startServiceProcess } from '@sluice/embedded';
import type { FakeEcsOptions } from './fake-ecs.server';
import type { PipelineHarness } from './pipeline-harness';

export function transformerTasks(h: PipelineHarness): NonNullable<FakeEcsOptions['launch']> {
  return (taskId, agentUri) => {
    const task = startServiceProcess('transformer', {
      env: { ...h.envFor('transformer'), ECS_AGENT_URI: agentUri, WORKER_ID: `task-${taskId}` },
      logFile: join(h.logDir, `task-${taskId}.log`),
    });
    // stop: ECS's SIGTERM (a scale-in, or a Spot interruption's notice); kill: the SIGKILL when the notice runs out.
    return { exited: task.exited, stop: () => task.kill('SIGTERM'), kill: () => task.kill('SIGKILL') };
  };
}
