// Pre-serialised JSON fragments for sub-objects that every list item embeds (GitHub users and
// repositories, PagerDuty references). A renderer puts a placeholder string where the object goes;
// `stringify` serialises the page natively and splices the cached text in. A page of 30 pull
// requests embeds 60 repository objects; serialising each once per server instead of once per
// page is most of the cost of a big page.

/** A placeholder standing for a cached JSON fragment (a string so it survives JSON.stringify). */
export type JsonFragment = string & { readonly __fragment: true };

// JSON.stringify escapes U+0000 as the six characters \u0000, which no rendered record contains.
const MARK = '\u0000F';
const SPLICE = /"\\u0000F(\d+)"/g;

export class JsonFragments {
  private readonly texts: string[] = [];
  private readonly byKey = new Map<string, JsonFragment>();

  /** The placeholder for `key`, serialising `make()` the first time. */
  get(key: string, make: () => unknown): JsonFragment {
    let ref = this.byKey.get(key);
    if (ref === undefined) {
      // Reserve the slot first: serialising `make()` may register nested fragments.
      const slot = this.texts.push('') - 1;
      ref = `${MARK}${slot}` as JsonFragment;
      this.texts[slot] = this.stringify(make());
      this.byKey.set(key, ref);
    }
    return ref;
  }

  /** JSON.stringify with every placeholder replaced by its fragment's text. */
  stringify(value: unknown): string {
    const text = JSON.stringify(value);
    if (this.texts.length === 0 || !text.includes('\\u0000F')) return text;
    return text.replace(SPLICE, (_m, n: string) => this.texts[Number(n)]!);
  }

  /** The value a placeholder stands for (for code that must read a fragment, e.g. tests). */
  parse(ref: JsonFragment): unknown {
    return JSON.parse(this.texts[Number(ref.slice(MARK.length))]!);
  }
}
