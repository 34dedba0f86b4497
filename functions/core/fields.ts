/**
 * Medusa's `fields` query parameter, for the admin family's reads (no I/O here).
 *
 * A route has default fields, written as Medusa writes them: `*` (every plain field of the record),
 * `*relation` or `relation.*` (a relation with every plain field), `relation.field` (a relation with
 * that field). The request's `fields` is a comma list:
 * - any entry without a prefix (`id,sku,*location_levels` — `*` counts as no prefix only when the
 *   whole list has a plain entry) replaces the defaults with the list;
 * - `+entry` (or ` entry`: an unencoded `+` arrives as a space) adds to the defaults, `-entry` takes
 *   an entry away (`-location_levels` drops the relation, `-metadata` a field);
 * - `*relation` alone adds the relation to the defaults.
 * `id` is always kept, a relation's own `id` too (Medusa's query joins relations by it and answers it:
 * `fields=inventory_item.sku` gives `inventory_item: { id, sku }`). A relation is shown only when
 * asked for, plain fields by name or by `*`.
 * Asking for a relation or field the record does not have is a 400 naming it, never ignored.
 */
import { DomainError } from './errors.ts';

export interface FieldTree {
  /** every plain field of this record */
  all: boolean;
  /** plain fields asked for by name */
  named: Set<string>;
  /** plain fields taken away (`-field`) */
  removed: Set<string>;
  /** relations asked for, each with its own tree */
  relations: Map<string, FieldTree>;
}

const node = (): FieldTree => ({ all: false, named: new Set(), removed: new Set(), relations: new Map() });

/** What a record of a route may show: its plain fields are any; `relations` names each relation (dotted for nested ones). */
export interface FieldModel {
  relations: readonly string[];
}

function add(tree: FieldTree, path: string, model: FieldModel, prefix = ''): void {
  // `*rel` and `rel.*` mean the same
  const entry = path.startsWith('*') && path.length > 1 ? `${path.slice(1)}.*` : path;
  const dot = entry.indexOf('.');
  if (dot < 0) {
    if (entry === '*') tree.all = true;
    else if (model.relations.includes(prefix + entry)) relation(tree, entry).all = true;
    else tree.named.add(entry);
    return;
  }
  const head = entry.slice(0, dot);
  const full = prefix + head;
  if (!model.relations.includes(full)) throw unknownRelation(full, model);
  add(relation(tree, head), entry.slice(dot + 1), model, `${full}.`);
}

function relation(tree: FieldTree, name: string): FieldTree {
  let child = tree.relations.get(name);
  if (!child) {
    child = node();
    child.named.add('id');
    tree.relations.set(name, child);
  }
  return child;
}

function remove(tree: FieldTree, path: string, model: FieldModel, prefix = ''): void {
  const entry = path.startsWith('*') ? path.slice(1) : path.replace(/\.\*$/, '');
  const dot = entry.indexOf('.');
  if (dot < 0) {
    if (model.relations.includes(prefix + entry)) tree.relations.delete(entry);
    else {
      tree.named.delete(entry);
      tree.removed.add(entry);
    }
    return;
  }
  const head = entry.slice(0, dot);
  const child = tree.relations.get(head);
  if (child) remove(child, entry.slice(dot + 1), model, `${prefix}${head}.`);
}

const unknownRelation = (name: string, model: FieldModel) =>
  new DomainError(
    'VALIDATION_ERROR',
    `fields: ${name} is not a relation of this record (${model.relations.length ? `relations here: ${model.relations.join(', ')}` : 'it has none'})`,
    [{ field: 'fields', message: `${name} is not a relation of this record` }],
  );

/** The tree of fields a request shows: the defaults, changed by the request's `fields` as Medusa does. */
export function fieldTree(defaults: readonly string[], fields: string | undefined, model: FieldModel): FieldTree {
  const tree = node();
  const entries = (fields ?? '')
    .split(',')
    .map((f) => (f.startsWith(' ') ? `+${f.trim()}` : f.trim()))
    .filter(Boolean);
  const replacing = entries.some((f) => !/^[+\-*]/.test(f));
  if (!replacing) for (const d of defaults) add(tree, d, model);
  for (const f of entries) {
    if (f.startsWith('-')) remove(tree, f.slice(1), model);
    else add(tree, f.replace(/^\+/, ''), model);
  }
  tree.named.add('id');
  tree.removed.delete('id');
  return tree;
}

/** Whether the tree shows this relation (a dotted path for a nested one). */
export function showsRelation(tree: FieldTree, path: string): boolean {
  let t: FieldTree | undefined = tree;
  for (const part of path.split('.')) {
    t = t?.relations.get(part);
    if (!t) return false;
  }
  return true;
}

/** Whether the tree shows this plain field of the record. */
export function showsField(tree: FieldTree, field: string): boolean {
  return !tree.removed.has(field) && (tree.all || tree.named.has(field));
}

/** The record as the tree shows it: plain fields by name or `*`, relations only when asked for (arrays element by element). */
export function select(record: object, tree: FieldTree, model: FieldModel, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (model.relations.includes(prefix + k)) {
      const child = tree.relations.get(k);
      if (!child) continue;
      const one = (e: unknown) => (e && typeof e === 'object' ? select(e, child, model, `${prefix}${k}.`) : e);
      out[k] = Array.isArray(v) ? v.map(one) : one(v);
    } else if (showsField(tree, k)) out[k] = v;
  }
  return out;
}

// ---------- the admin family's records ----------
export const ITEM_MODEL: FieldModel = { relations: ['location_levels'] };
/** Medusa's defaults: every field, the aggregates and the levels (query-config.ts of its inventory-items routes). */
export const ITEM_DEFAULTS = ['*', '*location_levels'] as const;
export const RESERVATION_MODEL: FieldModel = { relations: ['inventory_item', 'inventory_item.location_levels'] };
/** Medusa's defaults: every field and the item with its own fields (no levels). */
export const RESERVATION_DEFAULTS = ['*', 'inventory_item.*'] as const;
export const LOCATION_MODEL: FieldModel = { relations: ['address'] };
export const LOCATION_DEFAULTS = ['*', 'address.*'] as const;
export const VARIANT_MODEL: FieldModel = {
  relations: ['inventory_items', 'inventory_items.inventory', 'inventory_items.inventory.location_levels'],
};
export const VARIANT_DEFAULTS = ['*', 'inventory_items.*', 'inventory_items.inventory.*', 'inventory_items.inventory.location_levels.*'] as const;

/** A record of a model as a request's `fields` shows it, from the model's defaults. */
export function shown(record: { id: string } | object, fields: string | undefined, defaults: readonly string[], model: FieldModel): { id: string } {
  return select(record, fieldTree(defaults, fields, model), model) as { id: string };
}
