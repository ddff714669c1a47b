// Entry point: create the models, start fetching everything the first page needs at once, render
// the shell.
import { render } from 'preact';
import { App } from './app.tsx';
import { loadECharts } from './charts/load.ts';
import { AppContext, createAppModel } from './models/app-model.ts';
import { matchRoute } from './routes.ts';
import './styles.css';

const model = createAppModel(window);
// The first page's code and, when it draws charts, ECharts are requested now, together with the
// catalogue, not one after the other (page code once the shell had rendered, ECharts once a chart
// had its answer). They go first: the browser opens six connections to a server, the files come
// from memory in milliseconds, and the catalogue's requests would otherwise hold the connections
// while the server works. Failures show where the page or chart is, which loads them again.
const first = matchRoute(model.router.location.peek().path);
const page = first?.route.load();
page?.catch(() => {});
if (first?.route.charts) loadECharts().catch(() => {});
void model.catalog.load();
// Once its code and the settings are in, the page asks for its first answers (prefetch) while the
// rest of the catalogue still loads; it renders after the catalogue and finds them on their way.
if (first && page) {
  Promise.all([page, model.catalog.settingsAnswer])
    .then(([module]) => {
      if (matchRoute(model.router.location.peek().path)?.route === first.route) module.prefetch?.(model, first.params);
    })
    .catch(() => {});
}
const root = document.getElementById('app');
if (root) {
  render(
    <AppContext.Provider value={model}>
      <App />
    </AppContext.Provider>,
    root,
  );
}
