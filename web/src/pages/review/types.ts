// The review's shapes and closed lists, taken from the server (server/review/types.ts has no
// server-only imports), so the page and the API cannot disagree on a field or a reason.
export type {
  FollowUp,
  HandOffNote,
  LabelValue,
  LabelWriteResult,
  ReasonValue,
  ReviewHeader,
  ReviewIncident,
  ReviewOptions,
  ReviewPage,
  ReviewRule,
  ReviewScope,
  ReviewTrends,
  ReviewView,
  ReviewWeek,
  StoredLabel,
  TrendRule,
  TrendWeek,
} from '../../../../server/review/types.ts';
export { labelValues, limits, reasonTitles, reasonValues as reasonOrder } from '../../../../server/review/types.ts';
