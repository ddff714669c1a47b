// The organisation and the settings the pages need everywhere: teams, services, repositories,
// people (for names instead of PagerDuty ids), the metric catalogue (titles and definitions) and
// the configured targets and hours. Loaded once when the app starts, again after a sync.
import { computed, signal } from '@preact/signals';
import type { ApiClient } from '../api/client.ts';
import type { DashboardSettings, MetricDescription, Person, Repo, Service, Team } from '../api/types.ts';
import { toFailure } from './data.ts';

export class CatalogModel {
  readonly status = signal<'loading' | 'ready' | 'error'>('loading');
  readonly error = signal<string | null>(null);
  readonly settings = signal<DashboardSettings | null>(null);
  readonly teams = signal<Team[]>([]);
  readonly services = signal<Service[]>([]);
  readonly repos = signal<Repo[]>([]);
  readonly people = signal<Person[]>([]);
  readonly metrics = signal<MetricDescription[]>([]);

  private readonly teamNames = computed(() => new Map(this.teams.value.map((t) => [t.id, t.name])));
  private readonly serviceNames = computed(() => new Map(this.services.value.map((s) => [s.id, s.name ?? s.id])));
  private readonly personNames = computed(() => new Map(this.people.value.map((p) => [p.id, p.name])));

  constructor(private readonly api: ApiClient) {}

  /**
   * The settings of the latest load, set as soon as they answer (before the rest): the time zone
   * they carry dates the filters, which is all a page needs to ask for its data (main.tsx).
   */
  settingsAnswer: Promise<DashboardSettings> | undefined;

  async load(): Promise<void> {
    try {
      const p = this.api.paths;
      this.settingsAnswer = this.api.get<DashboardSettings>(p.settings).then((settings) => {
        this.settings.value = settings;
        return settings;
      });
      const [settings, teams, services, repos, people, metrics] = await Promise.all([
        this.settingsAnswer,
        this.api.get<{ items: Team[] }>(p.teams),
        this.api.get<{ items: Service[] }>(p.services),
        this.api.get<{ items: Repo[] }>(p.repos),
        this.api.get<{ items: Person[] }>(p.people),
        this.api.get<{ metrics: MetricDescription[] }>(p.metrics),
      ]);
      this.settings.value = settings;
      this.teams.value = teams.items;
      this.services.value = services.items;
      this.repos.value = repos.items;
      this.people.value = people.items;
      this.metrics.value = metrics.metrics;
      this.status.value = 'ready';
      this.error.value = null;
    } catch (error) {
      const failure = toFailure(error);
      this.error.value = `${failure.message}${failure.hint ? ` ${failure.hint}` : ''}`;
      if (this.status.value !== 'ready') this.status.value = 'error';
    }
  }

  /** The time zone the API's dates are in. */
  get timeZone(): string {
    return this.settings.value?.timeZone ?? 'UTC';
  }

  teamName(id: string | null | undefined): string {
    if (!id) return 'All teams';
    return this.teamNames.value.get(id) ?? (id === 'unassigned' ? 'Unassigned' : id);
  }

  serviceName(id: string | null | undefined): string {
    if (!id) return '–';
    return this.serviceNames.value.get(id) ?? id;
  }

  personName(id: string | null | undefined): string {
    if (!id) return '–';
    return this.personNames.value.get(id) ?? id;
  }

  /** A readable name for a group value of a metric grouped by `groupBy`. */
  groupName(groupBy: string, value: string | null): string {
    if (value === null) return 'All';
    if (groupBy === 'team') return this.teamName(value);
    if (groupBy === 'service') return this.serviceName(value);
    if (groupBy === 'person') return this.personName(value);
    return value;
  }

  metric(name: string): MetricDescription | undefined {
    return this.metrics.value.find((m) => m.name === name);
  }
}
