/** Small builders for update expressions, so no module concatenates attribute names by hand. */
export interface Expr {
  parts: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
  /** Attributes to REMOVE (index keys a sparse index no longer holds: Entity.indexUpdate). */
  remove?: string[];
}

export function newExpr(): Expr {
  return { parts: [], names: {}, values: {} };
}

/** `SET #a = :a` for each defined field (null is stored as null; undefined is skipped). */
export function setFields(e: Expr, fields: Record<string, unknown>): Expr {
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    e.names[`#${k}`] = k;
    e.values[`:${k}`] = v;
    e.parts.push(`#${k} = :${k}`);
  }
  return e;
}

/** `SET #a = #a + :v` (relative: composes with concurrent relative writes). */
export function addTo(e: Expr, field: string, delta: number): Expr {
  if (delta === 0) return e;
  e.names[`#${field}`] = field;
  e.values[`:d_${field}`] = delta;
  e.parts.push(`#${field} = #${field} + :d_${field}`);
  return e;
}

export function updateParams(e: Expr) {
  return {
    UpdateExpression: `SET ${e.parts.join(', ')}${e.remove?.length ? ` REMOVE ${e.remove.join(', ')}` : ''}`,
    ExpressionAttributeNames: e.names,
    ExpressionAttributeValues: e.values,
  };
}
