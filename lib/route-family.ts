/**
 * The routes of one family (route table `family`: admin, inventory, records, meta) in a nested stack
 * of their own: each route's function, log group, API route, integration and invoke permission, and
 * one role per access class (lib/roles.ts).
 *
 * Why: CloudFormation allows 500 resources per template and every route costs five here (seven when
 * each function had its own role and policy). One template held 474 resources with 64 routes; split by
 * family, the largest template holds about a third of that, and a family can grow by ~60 routes before
 * its own template is near the limit (test/infra/room.test.ts synthesizes that). A family of more than
 * MAX_ROUTES_PER_STACK routes continues in another nested stack (`InventoryRoutes2`, …: the inventory
 * family reached 35 routes with issue 25's transfers, and 35 + 60 routes in one template is 507
 * resources). The API, its stage and the key authorizer stay in the main stack; a route here attaches
 * to them by reference.
 */
import { NestedStack } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpApi, IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { Family, Route } from '../functions/routes.ts';
import { routeTable } from './access.ts';
import { functionName } from './functions.ts';
import { makeFunction } from './function-factory.ts';
import type { SharedResources } from './function-factory.ts';
import { acknowledge } from './nag.ts';
import { Roles } from './roles.ts';

export interface RouteFamilyProps {
  family: Family;
  routes: readonly Route[];
  shared: SharedResources;
  api: HttpApi;
  authorizer: IHttpRouteAuthorizer;
}

/**
 * Routes per nested stack: 60 × 5 resources + the roles of its access classes stays far below 500.
 * A family that passes it splits in route-table order, so a route added before others moves them to
 * the next stack (a replacement of their functions on the next deploy): add routes at a family's end.
 */
export const MAX_ROUTES_PER_STACK = 60;

/** `admin` → `AdminRoutes` */
export const familyStackId = (family: Family) => `${family[0].toUpperCase()}${family.slice(1)}Routes`;

export class RouteFamily extends NestedStack {
  /** The family's functions, by route id. */
  readonly functions = new Map<string, NodejsFunction>();
  readonly roles: Roles;

  constructor(scope: Construct, id: string, props: RouteFamilyProps) {
    super(scope, id, { description: `inventory: the ${props.family} routes (${props.routes.length})` });
    this.roles = new Roles(this, props.shared);
    for (const route of props.routes) {
      const name = functionName(route);
      const handler = makeFunction(this, name, route.handler, props.shared, {
        role: this.roles.for({ access: route.access, table: routeTable(route), blobs: route.blobs, publishes: route.publishes }),
        assets: route.assets,
      });
      const apiRoute = new HttpRoute(this, `${name}Route`, {
        httpApi: props.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: new HttpLambdaIntegration(`${name}Integration`, handler),
        authorizer: route.scope === 'public' ? undefined : props.authorizer,
      });
      if (route.scope === 'public')
        acknowledge(apiRoute, 'AwsSolutions-APIG4', 'Public by contract: health, the OpenAPI document and the docs page carry no tenant data.');
      this.functions.set(route.id, handler);
    }
  }
}
