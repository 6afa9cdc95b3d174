// A typed event hub (compiler-explorer's EventMap/EventHub in small): emit/on are generic over
// the keys of an event map, so a misspelled event or a wrong payload fails type-checking.
export class EventHub<M extends { [K in keyof M]: (...args: never[]) => void }> {
  private readonly handlers = new Map<keyof M, Set<M[keyof M]>>();

  on<K extends keyof M>(event: K, fn: M[K]): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends keyof M>(event: K, ...args: Parameters<M[K]>): void {
    for (const fn of this.handlers.get(event) ?? []) (fn as (...a: Parameters<M[K]>) => void)(...args);
  }
}
