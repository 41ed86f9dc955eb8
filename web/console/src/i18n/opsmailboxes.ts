// Ops page strings of the busiest actors' mailboxes (issue 14, mailbox depths).
export const zh = {
  opsMailboxes: {
    title: '最忙的 Actor（邮箱积压）', hint: '本成员消息积压最多的账户 Grain 和终端会话，最多 {n} 个；空表示没有积压。',
    actor: 'Actor', member: '成员', depth: '待处理消息', none: '没有积压',
  },
}
export const en = {
  opsMailboxes: {
    title: 'Busiest actors (mailbox depth)', hint: 'The account grains and terminal sessions with the most messages waiting on each member, at most {n}; empty when none is backed up.',
    actor: 'Actor', member: 'Member', depth: 'Messages waiting', none: 'No backlog',
  },
}
