/** The Settings workspace's tab (its component is mapped in AppShell.tsx). */
export const settingsView = { id: 'settings', label: 'Settings' } as const;
