/**
 * Monitoring: the alarms an operator needs and one dashboard.
 * - API: 5xx rate over 1 % of requests (5 min, 2 of 3 periods) and p99 latency over 2 s.
 * - Every function: errors or throttles (one alarm each, on `Errors + Throttles`).
 * - Dead-letter queues: any message (a stream batch given up on, an upload whose processing failed).
 * - Stream consumer: iterator age over 60 s (the low-stock flags fall behind).
 * - Schedules: a failed invocation of the rule's target.
 * Alarms notify an SNS topic; `-c alarmEmail=ops@example.com` subscribes an address.
 */
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TextWidget, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { NestedStack, Validations } from 'aws-cdk-lib';

export interface MonitoringProps {
  stage: string;
  api: HttpApi;
  functions: Map<string, NodejsFunction>;
  streamConsumer: NodejsFunction;
  deadLetterQueues: Queue[];
  schedules: Rule[];
  alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * A nested stack of its own: ~60 alarms would otherwise eat into the main template's 500-resource
 * CloudFormation limit, which the one-function-per-route design needs for routes.
 */
export class Monitoring extends NestedStack {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Alarms', { displayName: `inventory-${props.stage} alarms`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; alarm messages carry alarm names and states only.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action: IAlarmAction = new SnsAction(this.topic);
    const alarm = (name: string, a: Alarm) => {
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    // ---- the API ----
    const requests = props.api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = props.api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const errorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: FIVE_MINUTES,
      label: '5xx rate (%)',
    });
    alarm(
      'Api5xxRate',
      errorRate.createAlarm(this, 'Api5xxRate', {
        alarmDescription: 'More than 1 % of API requests answered 5xx (the service promises none).',
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const latency = props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarm(
      'ApiLatencyP99',
      latency.createAlarm(this, 'ApiLatencyP99', {
        alarmDescription: 'API p99 latency over 2 s.',
        threshold: 2000,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    // ---- every function: errors or throttles ----
    for (const [key, f] of props.functions) {
      const errorsOrThrottles = new MathExpression({
        expression: 'errors + throttles',
        usingMetrics: { errors: f.metricErrors({ period: FIVE_MINUTES }), throttles: f.metricThrottles({ period: FIVE_MINUTES }) },
        period: FIVE_MINUTES,
        label: `${key}: errors + throttles`,
      });
      alarm(
        `${f.node.id}Errors`,
        errorsOrThrottles.createAlarm(this, `${f.node.id}ErrorsOrThrottles`, {
          alarmDescription: `Function ${key} failed or was throttled.`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // ---- dead letters, the stream's lag, the schedules ----
    for (const q of props.deadLetterQueues) {
      alarm(
        `${q.node.id}Depth`,
        q.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }).createAlarm(this, `${q.node.id}Depth`, {
          alarmDescription:
            q.node.id === 'StreamFailures'
              ? `Messages in ${q.node.id}: stream records were given up on; their flags and events need a replay (docs/runbook.md).`
              : `Messages in ${q.node.id}: uploads whose processing failed past its retries; redrive them (docs/runbook.md).`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    const iteratorAge = props.streamConsumer.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' });
    alarm(
      'StreamIteratorAge',
      iteratorAge.createAlarm(this, 'StreamIteratorAge', {
        alarmDescription: 'The stream consumer is more than 60 s behind the table: low-stock flags and events are late.',
        threshold: 60_000,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const rule of props.schedules) {
      const failed = new Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        period: FIVE_MINUTES,
        statistic: 'Sum',
      });
      alarm(
        `${rule.node.id}Failed`,
        failed.createAlarm(this, `${rule.node.id}FailedInvocations`, {
          alarmDescription: `The ${rule.node.id} schedule could not invoke its function.`,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // ---- one dashboard ----
    this.dashboardName = `inventory-${props.stage}`;
    const fns = [...props.functions.values()];
    const sum = (metric: (f: NodejsFunction) => Metric, label: string, id: string) =>
      // one line for all functions (metric math holds at most 100 metrics; there are ~55)
      new MathExpression({
        expression: fns.map((_, i) => `${id}${i}`).join(' + '),
        usingMetrics: Object.fromEntries(fns.map((f, i) => [`${id}${i}`, metric(f)])),
        period: FIVE_MINUTES,
        label,
      });
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: this.dashboardName });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# inventory-${props.stage}\nAPI, functions, stream and schedules. Alarms notify the SNS topic of this stack.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [requests, serverErrors, props.api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' })],
        width: 8,
      }),
      new GraphWidget({ title: 'API latency (p50, p99)', left: [props.api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), latency], width: 8 }),
      new GraphWidget({ title: 'API 5xx rate (%)', left: [errorRate], width: 8 }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Functions: errors and throttles (all)',
        left: [sum((f) => f.metricErrors({ period: FIVE_MINUTES }), 'errors', 'e'), sum((f) => f.metricThrottles({ period: FIVE_MINUTES }), 'throttles', 't')],
        width: 8,
      }),
      new GraphWidget({ title: 'Stream consumer: iterator age (ms)', left: [iteratorAge], width: 8 }),
      new GraphWidget({
        title: 'Dead letters and schedule failures',
        left: props.deadLetterQueues.map((q) => q.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES })),
        right: props.schedules.map(
          (r) =>
            new Metric({
              namespace: 'AWS/Events',
              metricName: 'FailedInvocations',
              dimensionsMap: { RuleName: r.ruleName },
              period: FIVE_MINUTES,
              statistic: 'Sum',
            }),
        ),
        width: 8,
      }),
    );
  }
}
