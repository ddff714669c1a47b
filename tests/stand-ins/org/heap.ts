// A binary min-heap of timed events for the per-repository simulation. Ties break on insertion
// order, so the simulation is deterministic however events were scheduled.
interface Entry<T> {
  time: number;
  seq: number;
  item: T;
}

export class EventHeap<T extends { time: number }> {
  private readonly items: Entry<T>[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const a = this.items;
    a.push({ time: item.time, seq: this.counter++, item });
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(a[i] as Entry<T>, a[parent] as Entry<T>)) break;
      [a[i], a[parent]] = [a[parent] as Entry<T>, a[i] as Entry<T>];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0] as Entry<T>;
    const last = a.pop() as Entry<T>;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l] as Entry<T>, a[m] as Entry<T>)) m = l;
        if (r < a.length && less(a[r] as Entry<T>, a[m] as Entry<T>)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as Entry<T>, a[i] as Entry<T>];
        i = m;
      }
    }
    return top.item;
  }
}

function less<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
