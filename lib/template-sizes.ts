/** Resources and parameters per template (CloudFormation allows 500 and 200 per template), and the room test's extra routes. */
import { NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { routes } from '../functions/routes.ts';
import type { Family, Route } from '../functions/routes.ts';

export const CLOUDFORMATION_MAX_RESOURCES = 500;
export const CLOUDFORMATION_MAX_PARAMETERS = 200;

export interface TemplateSize {
  /** `Inventory-dev`, `Inventory-dev/AdminRoutes`, … */
  path: string;
  resources: number;
  parameters: number;
}

/** Every template of a stack: its own and each nested stack's (synthesizes the app). */
export function templateSizes(stack: Stack): TemplateSize[] {
  const stacks = [stack, ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack)];
  return stacks.map((s) => {
    const t = Template.fromStack(s).toJSON();
    return { path: s.node.path, resources: Object.keys(t.Resources ?? {}).length, parameters: Object.keys(t.Parameters ?? {}).length };
  });
}

/**
 * The route table and `n` more routes, as a growing service would add them: copies of existing routes
 * (each family's mix of reads and writes, public and keyed) under new paths, spread over the
 * families in proportion (or all in one family with `family`).
 */
export function withExtraRoutes(n: number, family?: Family): Route[] {
  const pool = family ? routes.filter((r) => r.family === family) : routes.filter((r) => r.family !== 'meta');
  const extra = Array.from({ length: n }, (_, i) => {
    const r = pool[i % pool.length];
    return { ...r, id: `${r.id}.extra${i}`, path: `/extra${i}${r.path}` };
  });
  return [...routes, ...extra];
}
