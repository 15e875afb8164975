/** The Live workspace's tab (its component is mapped in AppShell.tsx). */
export const liveView = { id: 'live', label: 'Live' } as const;
