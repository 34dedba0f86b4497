/**
 * The metrics writer (functions/edge/observability.ts): CloudWatch embedded metric format lines, as
 * CloudWatch reads them (the `_aws` block names each metric and the dimension set; values at the top).
 */
import { count, emfLine, publishMetrics } from '../../functions/edge/observability.ts';

test('an EMF line names namespace, dimension set and every metric, and carries their values at the top level', () => {
  const line = JSON.parse(
    emfLine(
      new Map([
        ['Successes', 3],
        ['ClientErrors', 1],
      ]),
      { family: 'admin' },
      1_700_000_000_000,
    ),
  );
  expect(line).toEqual({
    _aws: {
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: 'Inventory',
          Dimensions: [['service', 'family']],
          Metrics: [
            { Name: 'Successes', Unit: 'Count' },
            { Name: 'ClientErrors', Unit: 'Count' },
          ],
        },
      ],
    },
    service: 'inventory',
    family: 'admin',
    Successes: 3,
    ClientErrors: 1,
  });
});

test('an invocation publishes its counts summed, once; the first one of a runtime adds ColdStart with the function name', () => {
  const was = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    const lines: any[] = [];
    count('Successes', 1, { family: 'v1' });
    count('Successes', 2, { family: 'v1' });
    publishMetrics('InventoryGet', (l) => lines.push(JSON.parse(l)));
    expect(lines.map((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name))).toEqual([['ColdStart'], ['Successes']]);
    expect(lines[0]).toMatchObject({ service: 'inventory', function_name: 'InventoryGet', ColdStart: 1 });
    expect(lines[1]).toMatchObject({ service: 'inventory', family: 'v1', Successes: 3 });
    // the next invocation: no ColdStart, nothing left over from the last one
    lines.length = 0;
    publishMetrics('InventoryGet', (l) => lines.push(JSON.parse(l)));
    expect(lines).toEqual([]);
    count('KeysRefused');
    publishMetrics('Authorizer', (l) => lines.push(JSON.parse(l)));
    expect(lines).toHaveLength(1);
    expect(lines[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
  } finally {
    process.env.POWERTOOLS_METRICS_DISABLED = was;
  }
});
