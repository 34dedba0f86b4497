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
import type { BlobAccess, TableAccessDeclaration, TableGrant } from './access.ts';
import type { SharedResources } from './function-factory.ts';
import { acknowledge } from './nag.ts';

export interface Permissions {
  access: TableAccessDeclaration;
  blobs?: BlobAccess;
  publishes?: boolean;
  /** A role of its own (it gets statements no other function has, e.g. invoking itself). */
  own?: string;
}

/** A readable construct id for an access class: `TableReadRole`, `TableWriteBlobsWriteEventsRole`, … */
export function roleId(p: Permissions): string {
  if (p.own) return `${p.own}Role`;
  const t = tableGrant(p.access);
  const parts = [tableClass(p.access, t)];
  if (p.blobs) parts.push(`Blobs${p.blobs[0].toUpperCase()}${p.blobs.slice(1).replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}`);
  if (p.publishes) parts.push('Events');
  return `${parts.join('')}Role`;
}

function tableClass(access: TableAccessDeclaration, grant: TableGrant | undefined): string {
  if (!grant) return 'NoTable';
  if (typeof access === 'string') return `Table${access[0].toUpperCase()}${access.slice(1)}`;
  return `Table${grant.actions.join('')}${grant.indexes ? 'Indexes' : ''}`;
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
    const grant = tableGrant(p.access);
    if (grant) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: grant.actions.map((a) => `dynamodb:${a}`),
          resources: grant.indexes ? [table.tableArn, `${table.tableArn}/index/*`] : [table.tableArn],
        }),
      );
    }
    if (p.blobs === 'read') blobs.grantRead(role);
    if (p.blobs === 'write') blobs.grantReadWrite(role);
    if (p.blobs === 'read-uploads') blobs.grantRead(role, 'uploads/*');
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
      acknowledge(role, `AwsSolutions-IAM5[Resource::${ref}/index/*]`, "Reads query the table's own indexes (GSI1–GSI3); the wildcard covers only this table's indexes.");
    }
    acknowledge(role, 'AwsSolutions-IAM5[Action::s3:GetObject*]', 'Read access to the blob bucket: GetObject and its variants (tags, versions) on this bucket only.');
    acknowledge(role, 'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'Read access to the blob bucket: bucket location and versioning, this bucket only.');
    acknowledge(role, 'AwsSolutions-IAM5[Action::s3:List*]', 'Read access to the blob bucket: listing this bucket only.');
    acknowledge(role, 'AwsSolutions-IAM5[Action::s3:DeleteObject*]', 'Write access to the blob bucket: replacing and removing objects of this bucket only.');
    acknowledge(role, 'AwsSolutions-IAM5[Action::s3:Abort*]', 'Write access to the blob bucket: aborting multipart uploads of this bucket only.');
    for (const ref of nagRefs(this.shared.blobs)) {
      acknowledge(role, `AwsSolutions-IAM5[Resource::${ref}/*]`, 'Objects of the blob bucket (reports/, uploads/): the keys are per tenant and made at run time.');
      acknowledge(role, `AwsSolutions-IAM5[Resource::${ref}/uploads/*]`, 'The processor reads uploaded files: objects under uploads/ of the blob bucket, named per tenant and upload at run time.');
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
