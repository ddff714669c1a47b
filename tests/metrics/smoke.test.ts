import { expect, it } from 'vitest';
import { Fixture } from './fixture.ts';

it('refreshes an empty database', async () => {
  const f = await Fixture.create();
  const r = await f.refresh();
  expect(r.mode).toBe('full');
  const again = await f.refresh();
  expect(again.mode).toBe('unchanged');
  await f.close();
});
