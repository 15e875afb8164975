import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './client/index.ts';
import { createAppStore } from './store/appStore.ts';
import { StoreProvider } from './store/context.tsx';
import { AppShell } from './views/AppShell.tsx';
import './styles.css';

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
