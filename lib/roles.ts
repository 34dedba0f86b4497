/**
 * One IAM role per access class: functions that may do exactly the same things share a role.
 *
 * A function's permissions are its declaration (the route table's `access`, `blobs`, `publishes`, or
 * SERVICE_ACCESS in lib/functions.ts); two declarations that grant the same statements are one class.
 * Sharing roles changes nothing a function may do, and saves two resources (role, policy) per function:
 * most routes are plain table reads or table writes. Each stack (the main one, each route family's
 * nested stack) keeps its own roles, so no role is referenced across templates.
 */
import { Names, Stack } from 'aws-cdk-lib';
import type { CfnElement } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { tableGrant } from './access.ts';
import type { BlobAccess, TableAccessDeclaration, TableAction, TableGrant } from './access.ts';
import type { SharedResources } from './function-factory.ts';
import { acknowledge } from './nag.ts';

export interface Permissions extends TableAccessDeclaration {
  blobs?: BlobAccess;
  publishes?: boolean;
  /** A role of its own (it gets statements no other function has, e.g. invoking itself). */
  own?: string;
}

/** A readable construct id for an access class: `TableReadRole`, `TableWriteBlobsWriteEventsRole`, … */
export function roleId(p: Permissions): string {
  if (p.own) return `${p.own}Role`;
  const parts = [tableClass(tableGrant(p))];
  const area = (prefix: string) => `${prefix[0].toUpperCase()}${prefix.slice(1, -1)}`;
  if (p.blobs?.get) parts.push(`${area(p.blobs.get)}Get`);
  if (p.blobs?.put) parts.push(`${area(p.blobs.put)}Put`);
  if (p.publishes) parts.push('Events');
  return `${parts.join('')}Role`;
}

const SHORT: Record<TableAction, string> = {
  GetItem: 'Get',
  BatchGetItem: 'BatchGet',
  Query: 'Query',
  ConditionCheckItem: 'Check',
  PutItem: 'Put',
  UpdateItem: 'Update',
  DeleteItem: 'Delete',
};

/** `TableGetQueryPutIdx`: the grant's actions in a fixed order (the same set is the same class). */
function tableClass(grant: TableGrant | undefined): string {
  if (!grant) return 'NoTable';
  const order = Object.keys(SHORT) as TableAction[];
  return `Table${order
    .filter((a) => grant.actions.includes(a))
    .map((a) => SHORT[a])
    .join('')}${grant.indexes ? 'Idx' : ''}`;
}

/** The roles of one stack, made on first use. */
export class Roles {
  private readonly made = new Map<string, Role>();
  constructor(
    private readonly scope: Construct,
    private readonly shared: SharedResources,
  ) {}

  get size() {
    return this.made.size;
  }

  for(p: Permissions): Role {
    const id = roleId(p);
    const existing = this.made.get(id);
    if (existing) return existing;
    const role = new Role(this.scope, id, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const { table, blobs, bus } = this.shared;
    const grant = tableGrant(p);
    if (grant) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: grant.actions.map((a) => `dynamodb:${a}`),
          resources: grant.indexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
        }),
      );
    }
    // objects under one prefix only; listing, limited to that prefix, is meant to let a missing object
    // answer NoSuchKey (the readers' 404) rather than AccessDenied (not verified against S3: no account here)
    if (p.blobs?.get) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [blobs.arnForObjects(`${p.blobs.get}*`)] }));
      // ListBucket on the bucket itself, unconditioned: S3 answers a GetObject of a missing key with
      // 404 NoSuchKey only to a caller allowed s3:ListBucket on the bucket, else with 403 AccessDenied
      // (Amazon S3 API Reference, GetObject, "Permissions"); a GetObject carries no s3:prefix, so a
      // prefix condition would not count. The readers answer a missing report with 404.
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [blobs.bucketArn] }));
    }
    if (p.blobs?.put) role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [blobs.arnForObjects(`${p.blobs.put}*`)] }));
    if (p.publishes) bus.grantPutEventsTo(role);
    this.acknowledgeRole(role);
    this.made.set(id, role);
    return role;
  }

  /** The findings every role of ours may carry, each with its reason. */
  private acknowledgeRole(role: Role) {
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'The basic execution role only lets the function write its own CloudWatch logs.',
    );
    for (const ref of nagRefs(this.shared.table)) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${ref}/index/*]`,
        "Reads query the table's own indexes (GSI1–GSI3); the wildcard covers only this table's indexes.",
      );
    }
    for (const ref of nagRefs(this.shared.blobs)) {
      for (const prefix of ['reports/', 'uploads/']) {
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::${ref}/${prefix}*]`,
          `Objects under ${prefix} of the blob bucket: their keys are per tenant and made at run time.`,
        );
      }
    }
  }
}

/**
 * How cdk-nag names a resource's ARN in a finding: `<LogicalId.Arn>`; in a nested stack once CDK has
 * turned the reference into a parameter (as at synth), `<referenceto<unique id>Arn>`. Both are acknowledged.
 */
function nagRefs(c: Construct): string[] {
  const resource = c.node.defaultChild as CfnElement;
  return [`<${Stack.of(c).getLogicalId(resource)}.Arn>`, `<referenceto${Names.nodeUniqueId(resource.node)}Arn>`];
}
