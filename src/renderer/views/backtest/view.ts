/** The Backtest workspace's tab (its component is mapped in AppShell.tsx). */
export const backtestView = { id: 'backtest', label: 'Backtest' } as const;
