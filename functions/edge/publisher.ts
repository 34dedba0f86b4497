/**
 * Where events go: EventBridge when deployed (EVENT_BUS_NAME), an NDJSON file locally
 * (INVENTORY_EVENTS_FILE), nowhere otherwise. Every event carries a stable id derived from the
 * stream record, so a consumer can drop the rare duplicate.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';

import type { InventoryEvent } from '../core/events.ts';
export type { InventoryEvent };

let bridge: Promise<{ client: EventBridgeClient; sdk: typeof import('@aws-sdk/client-eventbridge') }> | undefined;
/** Loaded on first use: its import costs cold-start time in functions that may publish nothing. */
const eventBridge = () => (bridge ??= import('@aws-sdk/client-eventbridge').then((sdk) => ({ sdk, client: new sdk.EventBridgeClient({}) })));

export async function publish(events: InventoryEvent[]): Promise<void> {
  if (!events.length) return;
  const bus = process.env.EVENT_BUS_NAME;
  const file = process.env.INVENTORY_EVENTS_FILE;
  if (bus) {
    const { client, sdk } = await eventBridge();
    for (let i = 0; i < events.length; i += 10) {
      const res = await client.send(
        new sdk.PutEventsCommand({
          Entries: events.slice(i, i + 10).map((e) => ({
            EventBusName: bus,
            Source: 'inventory',
            DetailType: e.type,
            Time: new Date(e.time),
            Detail: JSON.stringify({ id: e.id, ...e.detail }),
          })),
        }),
      );
      if (res.FailedEntryCount) throw new Error(`EventBridge refused ${res.FailedEntryCount} event(s)`);
    }
  } else if (file) {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }
}
