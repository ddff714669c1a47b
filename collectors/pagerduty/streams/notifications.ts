// Notifications (the pages people received: SMS, phone, push, e-mail), from /notifications in
// windows under 3 months (the endpoint requires since and until, less than 3 months apart), cut
// further where a window would page past offset 10,000. They carry no incident: the notify log
// entry with the same notification id links a page to its incident (server/metrics/derive/pages.ts).
// Each run re-reads the last hour, for notifications PagerDuty shows a little late.
import { BatchBuilder } from '../../engine/batch.ts';
import { notificationRow } from '../normalise.ts';
import { changedOnly, type PdRun, SCOPE, validate } from '../run.ts';
import { notificationSchema } from '../schemas.ts';
import { WindowWalker } from '../windows.ts';

export const NOTIFICATIONS = 'notifications';
/** "Less than 3 months": the shortest 3 months (February to May) are 89 days; 85 days keeps clear of it. */
export const NOTIFICATION_SPAN_MS = 85 * 86_400_000;
export const NOTIFICATION_OVERLAP_MS = 3_600_000;

export async function syncNotifications(run: PdRun): Promise<void> {
  const batch = new BatchBuilder(run.ctx, { scope: SCOPE, stream: NOTIFICATIONS }, run.cursors);
  const walker = new WindowWalker(
    run,
    {
      stream: NOTIFICATIONS,
      path: '/notifications',
      listKey: 'notifications',
      maxSpanMs: NOTIFICATION_SPAN_MS,
      overlapMs: NOTIFICATION_OVERLAP_MS,
      timeOf: (item) => (item as { started_at?: string } | null)?.started_at,
      onPage: async ({ items, page }) => {
        const valid = validate(batch, run, {
          stream: NOTIFICATIONS,
          items,
          url: page.url,
          fetchedAt: page.fetchedAt,
          schema: notificationSchema,
          key: (n) => n.id,
        });
        for (const record of await changedOnly(run, 'notifications', valid)) {
          batch.raw([record.raw]);
          batch.rows('notifications', [notificationRow(record.value, record.raw)]);
        }
      },
    },
    batch,
  );
  await walker.walk();
  await batch.flush();
}
