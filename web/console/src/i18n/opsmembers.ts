// Ops page strings of the shared terminal view (issue 14, wt-ops round 4).
export const zh = { opsMembers: { member: '所在成员' } }
export const en = { opsMembers: { member: 'Member' } }
