/**
 * Room under CloudFormation's limits (500 resources, 200 parameters per template): the routes live in
 * one nested stack per family (lib/route-family.ts) and functions with the same access share a role
 * (lib/roles.ts). Proven on today's app and on one that has 60 routes more.
 */
import { routes } from '../../functions/routes.ts';
import type { Family } from '../../functions/routes.ts';
import { roleId } from '../../lib/roles.ts';
import { routeTable } from '../../lib/access.ts';
import { CLOUDFORMATION_MAX_PARAMETERS, CLOUDFORMATION_MAX_RESOURCES, templateSizes, withExtraRoutes } from '../../lib/template-sizes.ts';
import type { TemplateSize } from '../../lib/template-sizes.ts';
import { makeStack, resourcesOfType } from '../support/stack.ts';

const show = (label: string, sizes: TemplateSize[]) =>
  console.log(`${label}\n${sizes.map((t) => `  ${t.path}: ${t.resources} resources, ${t.parameters} parameters`).join('\n')}`);
const largest = (ts: TemplateSize[]) => Math.max(...ts.map((t) => t.resources));

test('today every template holds at most 300 resources', () => {
  const stack = makeStack({ stage: 'prod' }, 'Room');
  const sizes = templateSizes(stack);
  show(`today (${routes.length} routes):`, sizes);
  // the main stack, monitoring and one stack per family
  expect(sizes).toHaveLength(2 + new Set(routes.map((r) => r.family)).size);
  for (const t of sizes) expect([t.path, t.resources <= 300]).toEqual([t.path, true]);
  for (const t of sizes) expect([t.path, t.parameters < CLOUDFORMATION_MAX_PARAMETERS]).toEqual([t.path, true]);
  // one role per access class, not one per function
  const classes = new Set(routes.map((r) => `${r.family} ${roleId({ access: r.access, table: routeTable(r), blobs: r.blobs, publishes: r.publishes })}`));
  expect(resourcesOfType(stack, 'AWS::IAM::Role').length).toBe(classes.size + 6 + 1); // + the service functions' and CDK's bucket-notification handler's
});

test.each([
  ['spread over the families', undefined],
  ['all in the largest family', 'inventory' as Family],
])(
  'with 60 routes more (%s) every template stays under 500 resources and 200 parameters',
  (_label, family) => {
    const more = withExtraRoutes(60, family);
    expect(more).toHaveLength(routes.length + 60);
    const stack = makeStack({ stage: 'dev' }, 'Room', more);
    const sizes = templateSizes(stack);
    show(`with 60 routes more (${family ?? 'spread'}):`, sizes);
    for (const t of sizes) {
      expect([t.path, t.resources < CLOUDFORMATION_MAX_RESOURCES]).toEqual([t.path, true]);
      expect([t.path, t.parameters < CLOUDFORMATION_MAX_PARAMETERS]).toEqual([t.path, true]);
    }
    // every route is deployed: its API route and its function
    expect(resourcesOfType(stack, 'AWS::ApiGatewayV2::Route')).toHaveLength(more.length);
    expect(stack.functions.size).toBe(more.length + 6);
    if (family) expect(largest(sizes)).toBeGreaterThan(300); // the test would notice a family that does not grow
  },
  180_000,
);
