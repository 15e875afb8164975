import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// First, so that the views' own style sheets come after it and can refine its rules.
import './styles.css';
import { createClient } from './client/index.ts';
import { createAppStore } from './store/appStore.ts';
import { StoreProvider } from './store/context.tsx';
import { AppShell } from './views/AppShell.tsx';

const store = createAppStore(createClient());
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <AppShell />
    </StoreProvider>
  </StrictMode>,
);

void store.getState().start();
