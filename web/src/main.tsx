// Entry point: create the models once, load the organisation and settings, render the shell.
import { render } from 'preact';
import { App } from './app.tsx';
import { AppContext, createAppModel } from './models/app-model.ts';
import './styles.css';

const model = createAppModel(window);
void model.catalog.load();
const root = document.getElementById('app');
if (root) {
  render(
    <AppContext.Provider value={model}>
      <App />
    </AppContext.Provider>,
    root,
  );
}
