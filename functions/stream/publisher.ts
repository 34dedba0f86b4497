/**
 * Where events go: EventBridge when deployed (EVENT_BUS_NAME), an NDJSON file locally
 * (INVENTORY_EVENTS_FILE), nowhere otherwise. Every event carries a stable id derived from the
 * stream record, so a consumer can drop the rare duplicate.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export interface InventoryEvent {
  id: string;
  type: 'inventory.level.status_changed' | 'inventory.report.generated';
  time: string;
  detail: Record<string, unknown>;
}

let bridge: EventBridgeClient | undefined;

export async function publish(events: InventoryEvent[]): Promise<void> {
  if (!events.length) return;
  const bus = process.env.EVENT_BUS_NAME;
  const file = process.env.INVENTORY_EVENTS_FILE;
  if (bus) {
    bridge ??= new EventBridgeClient({});
    for (let i = 0; i < events.length; i += 10) {
      const res = await bridge.send(
        new PutEventsCommand({
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
