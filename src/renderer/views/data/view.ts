/** The Data workspace's tab (its component is mapped in AppShell.tsx). */
export const dataView = { id: 'data', label: 'Data' } as const;
