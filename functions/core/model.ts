/** The domain's records, as the core and the families see them (no keys, no DynamoDB attributes). */

export const SCOPES = ['inventory:read', 'inventory:write', 'reservations:write', 'keys:manage'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: resolved by the authorizer from the API key. */
export interface Actor {
  tenant: string;
  keyId: string;
  keyName: string;
  scopes: Scope[];
  /** When set, the key may only touch these warehouses (enforced by a later issue). */
  warehouseIds?: string[];
}

export const ADJUSTMENT_REASONS = [
  'supplier_receipt',
  'cycle_count',
  'correction',
  'damage',
  'return',
  'fulfillment',
  'transfer_in',
  'transfer_out',
  'initial',
  'bulk_import',
  'other',
  'reconcile',
] as const;
export type AdjustmentReason = (typeof ADJUSTMENT_REASONS)[number];

export const WAREHOUSE_TYPES = ['own', 'FBA', 'FBS', '3PL', 'store'] as const;
export type WarehouseType = (typeof WAREHOUSE_TYPES)[number];

export interface Address {
  address_1?: string | null;
  address_2?: string | null;
  company?: string | null;
  city?: string | null;
  country_code?: string | null;
  phone?: string | null;
  province?: string | null;
  postal_code?: string | null;
}

export interface Warehouse {
  id: string;
  name: string;
  /** Medusa's address object, or one line of text (inventory family). */
  address: Address | string | null;
  type: WarehouseType;
  marketplace: string | null;
  is_active: boolean;
  is_readonly: boolean;
  priority: number;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

export interface InventoryItem {
  id: string;
  sku: string | null;
  title: string | null;
  description: string | null;
  thumbnail: string | null;
  origin_country: string | null;
  hs_code: string | null;
  mid_code: string | null;
  material: string | null;
  weight: number | null;
  length: number | null;
  height: number | null;
  width: number | null;
  requires_shipping: boolean;
  allow_backorder: boolean;
  /** With allow_backorder, how far below zero `available_quantity` may go; null = unbounded. */
  backorder_limit: number | null;
  product_id: string | null;
  variant_attributes: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

export interface Level {
  id: string;
  inventory_item_id: string;
  location_id: string;
  sku: string | null;
  stocked_quantity: number;
  reserved_quantity: number;
  incoming_quantity: number;
  safety_stock: number;
  /** Always stocked − reserved − safety_stock − the unavailable states (expectedAvailable): kept by every write in the same expression. */
  available_quantity: number;
  /** Named states (on hand, not available): present only once a move or a receipt used them. */
  damaged_quantity?: number;
  quality_control_quantity?: number;
  /** Units shipped toward this level by open transfers: not on hand, not available, not lost. */
  in_transit_quantity?: number;
  reorder_level: number;
  reorder_quantity: number;
  bin_location: string | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
}

/**
 * Named states of a level's on-hand units that are not available (issue 25): counted in
 * stocked_quantity, kept out of available_quantity. `available` is the free part of on hand, not a
 * stored state; a move takes units from one of these (or from available) to another.
 */
export const STOCK_STATES = ['damaged', 'quality_control'] as const;
export type StockState = (typeof STOCK_STATES)[number];
/** Where a move takes units from or puts them: a named state, or available. */
export type MoveState = StockState | 'available';
export type StateField = `${StockState}_quantity`;
export const stateField = (s: StockState): StateField => `${s}_quantity`;

/** Units of a level in named states (on hand, not available); 0 for a level that uses none. */
export function unavailableUnits(l: Partial<Record<StateField, number>>): number {
  return STOCK_STATES.reduce((a, s) => a + Number(l[stateField(s)] ?? 0), 0);
}

/**
 * THE availability formula of a level (I1 of store/levels.ts): on hand − reserved − safety stock −
 * the unavailable states. Reconcile, explain and the repair of reserved derive from it; the stored
 * available_quantity is kept equal to it by every write. A level that uses no state: stocked −
 * reserved − safety, as before.
 */
export function expectedAvailable(l: Pick<Level, 'stocked_quantity' | 'reserved_quantity' | 'safety_stock'> & Partial<Record<StateField, number>>): number {
  return l.stocked_quantity - l.reserved_quantity - l.safety_stock - unavailableUnits(l);
}

export interface Reservation {
  id: string;
  inventory_item_id: string;
  location_id: string;
  quantity: number;
  line_item_id: string | null;
  description: string | null;
  metadata: Record<string, unknown> | null;
  expires_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface Adjustment {
  id: string;
  sku: string | null;
  inventory_item_id: string;
  warehouse_id: string;
  field: 'stocked_quantity' | 'incoming_quantity' | StateField | 'in_transit_quantity';
  before_quantity: number;
  after_quantity: number;
  delta: number;
  reason: AdjustmentReason;
  note: string | null;
  reference: string | null;
  created_by: string;
  created_at: string;
}

export interface VariantLink {
  id: string;
  product_id: string;
  variant_id: string;
  inventory_item_id: string;
  required_quantity: number;
  created_at: string;
  updated_at: string;
}

export type LevelStatus = 'normal' | 'low' | 'critical' | 'out_of_stock';

/** The "Level status" rule: the same rule for one level and for an item's totals. */
export function levelStatus(available: number, safetyStock: number, reorderLevel: number): LevelStatus {
  if (available <= 0) return 'out_of_stock';
  if (available <= safetyStock) return 'critical';
  if (available <= reorderLevel) return 'low';
  return 'normal';
}

/** Quantity bounds of the contract: integers, at most one billion. */
export const MAX_QUANTITY = 1_000_000_000;

/** The lowest `available_quantity` a reservation may leave behind, or null when unbounded. */
export function availabilityFloor(item: Pick<InventoryItem, 'allow_backorder' | 'backorder_limit'>): number | null {
  if (!item.allow_backorder) return 0;
  return item.backorder_limit === null ? null : -item.backorder_limit;
}
