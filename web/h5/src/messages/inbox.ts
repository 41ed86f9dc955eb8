// Messages of the inbox page (the guardian's own notices, GET /v1/parent/notices).
export const zh = {
  inbox: {
    title: '我的消息', entry: '我的消息', empty: '暂无消息', more: '加载更多', end: '没有更多了',
    state: { queued: '待发送', sent: '已发送', delivered: '已送达', failed: '发送失败', withdrawn: '已撤回' },
  },
}

export const en: typeof zh = {
  inbox: {
    title: 'My notices', entry: 'My notices', empty: 'No notices yet', more: 'Load more', end: 'No more notices',
    state: { queued: 'Queued', sent: 'Sent', delivered: 'Delivered', failed: 'Not delivered', withdrawn: 'Withdrawn' },
  },
}
