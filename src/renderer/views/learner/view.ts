/** The Learner workspace's tab (its component is mapped in AppShell.tsx). */
export const learnerView = { id: 'learner', label: 'Learner' } as const;
