// Trends across the weeks up to the one reviewed, each a chart card (table, CSV and PNG like every
// chart): is the noise going down, do reviewers agree with the suggestions, which reasons
// dominate, are follow-ups being closed.
import { useState } from 'preact/hooks';
import { ChartCard } from '../../charts/chart-card.tsx';
import { Grid, Section } from '../../components/layout.tsx';
import { falsePositiveTrend, followUpTrend, labelMixTrend, ruleTrend } from './trend-charts.ts';
import type { ReviewTrends as Trends } from './types.ts';

export function ReviewTrends({ url, fileParts }: { url: string; fileParts: string[] }) {
  const [basis, setBasis] = useState<'reviewed' | 'suggested'>('reviewed');
  const empty = () => ({
    title: 'No pages in these weeks',
    hint: 'Nothing paged this team or schedule in the twelve weeks up to this one.',
  });
  return (
    <Section title="Trends" description="The twelve weeks up to this one." id="trends">
      <Grid min={28}>
        <ChartCard<Trends>
          id="review-fp-trend"
          title="False-positive ratio"
          explanation="Pages from non-actionable incidents over all pages: as reviewed (a reviewer's label, else the suggestion) against Vigil's suggestions alone."
          definition="false-positive-ratio"
          url={url}
          build={falsePositiveTrend}
          empty={empty}
          fileParts={fileParts}
        />
        <ChartCard<Trends>
          id="review-rule-trend"
          title="Noisiest rules"
          explanation={`The false-positive ratio of the rules that paged most in these weeks, ${
            basis === 'reviewed' ? 'as reviewed (labels, else the suggestion)' : "by Vigil's suggestions alone"
          }.`}
          url={url}
          build={(data, theme) => ruleTrend(data, theme, basis)}
          buildKey={basis}
          empty={empty}
          fileParts={[...fileParts, basis]}
          footer={() => (
            <fieldset class="segmented" style={{ marginTop: '8px' }}>
              <legend class="sr-only">Ratio basis</legend>
              <button
                type="button"
                class={basis === 'reviewed' ? 'on' : ''}
                aria-pressed={basis === 'reviewed'}
                onClick={() => setBasis('reviewed')}
              >
                As reviewed
              </button>
              <button
                type="button"
                class={basis === 'suggested' ? 'on' : ''}
                aria-pressed={basis === 'suggested'}
                onClick={() => setBasis('suggested')}
              >
                Suggestions alone
              </button>
            </fieldset>
          )}
        />
        <ChartCard<Trends>
          id="review-label-mix"
          title="Label mix"
          explanation="Incidents per week by the reviewer's label and reason, and those nobody labelled."
          url={url}
          build={labelMixTrend}
          empty={() => ({ title: 'No incidents in these weeks', hint: 'Nothing to label yet.' })}
          fileParts={fileParts}
        />
        <ChartCard<Trends>
          id="review-follow-ups"
          title="Follow-ups opened and closed"
          explanation="Follow-up actions opened in each week's review and closed during each week."
          url={url}
          build={followUpTrend}
          empty={() => ({ title: 'No follow-ups yet', hint: 'Add one to a rule with f (or "Add follow-up").' })}
          fileParts={fileParts}
        />
      </Grid>
    </Section>
  );
}
