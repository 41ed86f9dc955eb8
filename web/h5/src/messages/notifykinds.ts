// Messages of the notice preferences page (issue 12), spread into i18n.ts.
export const zh = {
  prefs: {
    title: '消息通知设置', entry: '消息通知设置', channels: '接收渠道', kinds: '通知类型', saved: '已保存', save: '保存',
    alwaysOn: '必须接收', hint: '登录验证码和欠费提醒始终发送，不能关闭。',
    channel: { sms: '短信', wechat: '微信公众号' },
    kind: {
      login_code: '登录验证码', arrears: '欠费消费提醒', low_balance: '余额不足提醒', recharge_receipt: '充值到账',
      card_loss: '挂失通知', card_reissue: '补卡通知', guardian_bound: '家长绑定通知', fee_published: '缴费项目发布',
      fee_reminder: '缴费提醒', fee_due_tomorrow: '缴费明日截止', refund_done: '退费到账',
    },
  },
}

export const en: typeof zh = {
  prefs: {
    title: 'Notifications', entry: 'Notification settings', channels: 'Channels', kinds: 'Notices', saved: 'Saved', save: 'Save',
    alwaysOn: 'Always on', hint: 'Login codes and arrears notices are always sent and cannot be turned off.',
    channel: { sms: 'SMS', wechat: 'WeChat' },
    kind: {
      login_code: 'Login code', arrears: 'Purchase on arrears', low_balance: 'Low balance', recharge_receipt: 'Recharge received',
      card_loss: 'Card reported lost', card_reissue: 'Card re-issued', guardian_bound: 'Guardian bound', fee_published: 'Fee published',
      fee_reminder: 'Fee reminder', fee_due_tomorrow: 'Fee due tomorrow', refund_done: 'Refund done',
    },
  },
}
