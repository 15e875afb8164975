/** The Optimize workspace's tab (its component is mapped in AppShell.tsx). */
export const optimizeView = { id: 'optimize', label: 'Optimize' } as const;
