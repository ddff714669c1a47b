// The application's models, created once at start-up and handed to components through context
// (no module globals): router, filters, preferences, API client, cached answers and catalogue.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiClient } from '../api/client.ts';
import { todayIn } from '../lib/dates.ts';
import { CatalogModel } from './catalog.ts';
import { DataModel } from './data.ts';
import { FilterModel } from './filters.ts';
import { PrefsModel } from './prefs.ts';
import { RouterModel } from './router.ts';

export interface AppModel {
  router: RouterModel;
  filters: FilterModel;
  prefs: PrefsModel;
  api: ApiClient;
  data: DataModel;
  catalog: CatalogModel;
}

export function createAppModel(win: Window): AppModel {
  const router = new RouterModel(win);
  let storage: Storage | null = null;
  try {
    storage = win.localStorage;
  } catch {
    storage = null;
  }
  const prefs = new PrefsModel(storage);
  // The data model is created after the client, which reports data versions to it.
  let data: DataModel | undefined;
  const api = new ApiClient({
    origin: win.location.origin,
    actor: () => prefs.reviewerName.value,
    onDataVersion: (v) => data?.noteDataVersion(v),
  });
  data = new DataModel(api);
  const catalog = new CatalogModel(api);
  const filters = new FilterModel(router, () => todayIn(catalog.timeZone));
  return { router, filters, prefs, api, data, catalog };
}

export const AppContext = createContext<AppModel | null>(null);

export function useApp(): AppModel {
  const model = useContext(AppContext);
  if (!model) throw new Error('useApp() outside <AppContext.Provider>');
  return model;
}
