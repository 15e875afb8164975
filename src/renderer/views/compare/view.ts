/** The Compare workspace's tab (its component is mapped in AppShell.tsx). */
export const compareView = { id: 'compare', label: 'Compare' } as const;
