// Synthesizes the sluice app in process (as `cdk synth` does, into a temp outdir) and reads the template back in a
// form tests can compare: CloudFormation intrinsics rendered as strings, policy statements normalized.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { createUser } from '@nats-io/nkeys';
import { BUS_ROLES, type BusRole } from '@sluice/contracts';
import { expect } from 'vitest';
import { buildSluice } from '../lib/app';
import type { SluiceStack } from '../lib/sluice.stack';

export const REPO_ROOT = resolve(__dirname, '../..');

/** Public nkeys for every bus role, as a deployer passes them (`-c natsPublicKeys=scanner=U…,…`). */
export const TEST_NATS_PUBLIC_KEYS = Object.fromEntries(BUS_ROLES.map((role) => [role, createUser().getPublicKey()])) as Record<BusRole, string>;
export const TEST_NATS_PUBLIC_KEYS_FLAG = BUS_ROLES.map((role) => `${role}=${TEST_NATS_PUBLIC_KEYS[role]}`).join(',');

export interface Synth {
  stack: SluiceStack;
  template: Template;
  json: { Resources: Record<string, CfnResourceJson>; Outputs?: Record<string, { Value: unknown }> };
  assembly: CloudAssembly;
  outdir: string;
  /** Logical id of a construct's CloudFormation resource, e.g. id(stack.sink.bucket). */
  id(construct: IConstruct): string;
  cleanup(): void;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, any>;
  DependsOn?: string[];
  DeletionPolicy?: string;
}

/** `natsPublicKeys` defaults to TEST_NATS_PUBLIC_KEYS (the stack's own NATS requires them); pass undefined to omit it. */
export function synth(context: Record<string, unknown> = {}): Synth {
  context = { natsPublicKeys: TEST_NATS_PUBLIC_KEYS_FLAG, ...context };
  if (context.natsPublicKeys === undefined) delete context.natsPublicKeys;
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
  let stack: SluiceStack;
  let assembly: CloudAssembly;
  try {
    const app = new App({ outdir, context });
    stack = buildSluice(app, REPO_ROOT);
    assembly = app.synth();
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    json: template.toJSON() as Synth['json'],
    assembly,
    outdir,
    id: (c) => stack.getLogicalId((c.node.defaultChild ?? c) as CfnElement),
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** `{Ref: X}` → `{X}`, GetAtt → `{X.Attr}`, Join/Sub flattened: what a value will be, with the unknowns named. */
export function render(value: unknown): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === 'object') {
    const o = value as Record<string, any>;
    if ('Ref' in o) return `{${o.Ref}}`;
    if ('Fn::GetAtt' in o) return `{${o['Fn::GetAtt'].join('.')}}`;
    if ('Fn::Join' in o) return (o['Fn::Join'][1] as unknown[]).map(render).join(o['Fn::Join'][0]);
    if ('Fn::Sub' in o) return String(o['Fn::Sub']).replace(/\$\{([^}]+)\}/g, '{$1}');
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, render(v)]));
  }
  return value;
}

export interface NormalStatement {
  actions: string[];
  resources: string[];
  conditions?: Record<string, unknown>;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function normalizeStatement(st: Record<string, any>): NormalStatement {
  expect(st.Effect).toBe('Allow');
  const out: NormalStatement = {
    actions: asArray<string>(st.Action).sort(),
    resources: asArray(st.Resource).map((r) => String(render(r))).sort(),
  };
  if (st.Condition) out.conditions = render(st.Condition);
  return out;
}

const sortStatements = (s: NormalStatement[]) => [...s].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Every statement of every AWS::IAM::Policy attached to the role, normalized and sorted. */
export function statementsOfRole(s: Synth, roleId: string): NormalStatement[] {
  const statements = Object.values(s.json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && asArray(r.Properties!.Roles).some((ref: any) => ref.Ref === roleId))
    .flatMap((r) => asArray(r.Properties!.PolicyDocument.Statement as Record<string, any>[]));
  return sortStatements(statements.map(normalizeStatement));
}

export function expectStatements(actual: NormalStatement[], expected: NormalStatement[]): void {
  expect(actual).toEqual(sortStatements(expected.map((e) => ({ ...e, actions: [...e.actions].sort(), resources: [...e.resources].sort() }))));
}

export function resourcesOfType(s: Synth, type: string): [string, CfnResourceJson][] {
  return Object.entries(s.json.Resources).filter(([, r]) => r.Type === type);
}

export function typeCounts(s: Synth): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of Object.values(s.json.Resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
  return counts;
}

/** The container definitions of the task definition with this logical id. */
export function containersOf(s: Synth, taskDefinitionId: string): Record<string, any>[] {
  return s.json.Resources[taskDefinitionId].Properties!.ContainerDefinitions;
}

/** Container environment with intrinsics rendered; secrets listed separately by name. */
export function environmentOf(container: Record<string, any>): Record<string, string> {
  return Object.fromEntries(asArray<{ Name: string; Value: unknown }>(container.Environment).map((e) => [e.Name, String(render(e.Value))]));
}

/** The same environment as the service will see it, with deploy-time values replaced by plausible literals. */
export function deployedEnvironment(container: Record<string, any>): Record<string, string> {
  const env = environmentOf(container);
  const secrets = Object.fromEntries(asArray<{ Name: string }>(container.Secrets).map((s) => [s.Name, 'from-secrets-manager']));
  return Object.fromEntries(
    Object.entries({ ...env, ...secrets }).map(([k, v]) => [k, v.replace(/\{AWS::Region\}/g, 'us-east-1').replace(/\{[^}]+\}/g, 'resolved-at-deploy')]),
  );
}
