/**
 * The order in which to undo an import and the later imports that wrote over its members: every import after all
 * imports that wrote over it (they must give their members back first), ties newest first. `laterOf` gives, per
 * import, the imports that wrote after it to members it touched. Pure.
 */
export function undoOrder(target: string, laterOf: ReadonlyMap<string, readonly string[]>, createdAt: ReadonlyMap<string, string>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const newestFirst = (a: string, b: string) => (createdAt.get(b) ?? '').localeCompare(createdAt.get(a) ?? '') || b.localeCompare(a);
  const visit = (id: string) => {
    if (state.get(id)) return; // a cycle (imports that interleaved) is cut here; the undo guard then refuses, never half undoes
    state.set(id, 'visiting');
    for (const later of [...(laterOf.get(id) ?? [])].sort(newestFirst)) visit(later);
    state.set(id, 'done');
    order.push(id);
  };
  visit(target);
  return order;
}
