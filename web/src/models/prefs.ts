// What a person sets once and the browser remembers: large type for the meeting-room screen and
// the name written on their changes (links, labels) when Vigil runs without sign-in.
import { effect, signal } from '@preact/signals';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEYS = { largeType: 'vigil.largeType', reviewer: 'vigil.reviewerName' } as const;

export class PrefsModel {
  readonly largeType = signal(false);
  readonly reviewerName = signal<string | null>(null);
  private readonly stopEffects: () => void;

  constructor(private readonly store: Store | null) {
    this.largeType.value = this.read(KEYS.largeType) === '1';
    this.reviewerName.value = this.read(KEYS.reviewer);
    this.stopEffects = effect(() => {
      this.write(KEYS.largeType, this.largeType.value ? '1' : null);
      this.write(KEYS.reviewer, this.reviewerName.value);
    });
  }

  private read(key: string): string | null {
    try {
      return this.store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  private write(key: string, value: string | null): void {
    try {
      if (value === null) this.store?.removeItem(key);
      else this.store?.setItem(key, value);
    } catch {
      // Private browsing or a full quota: the preference lasts for this visit only.
    }
  }

  toggleLargeType(): void {
    this.largeType.value = !this.largeType.value;
  }

  setReviewerName(name: string): void {
    const trimmed = name.trim().slice(0, 80);
    this.reviewerName.value = trimmed || null;
  }

  dispose(): void {
    this.stopEffects();
  }
}
