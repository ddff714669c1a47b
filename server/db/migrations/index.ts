// The ordered list of schema migrations. Append new ones; never edit or reorder a released one.
import type { Migration } from '../migrate.ts';
import { migration as m0001 } from './0001-initial.ts';

export const migrations: readonly Migration[] = [m0001];
