/**
 * The events the domain's rules produce. Rules return them or hand them to a `Publish` they are
 * given; where events go (EventBridge, a local file) is the edge's business (functions/edge/publisher.ts).
 */
export interface InventoryEvent {
  id: string;
  type:
    | 'inventory.level.status_changed'
    | 'inventory.report.generated'
    | 'inventory.level.drift_detected'
    | `inventory.transfer.${'created' | 'shipped' | 'received' | 'cancelled' | 'closed'}`
    | `inventory.hold.${'replanned' | 'released'}`;
  time: string;
  detail: Record<string, unknown>;
}

export type Publish = (events: InventoryEvent[]) => Promise<void>;
