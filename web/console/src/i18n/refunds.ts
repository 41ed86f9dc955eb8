// Messages of the refunds, the notices' status and the staff e-mail (merged into i18n.ts).
export const zh = {
  refund: {
    button: '退款', billTitle: '账单退款', rechargeTitle: '充值退款', refundable: '可退金额（已缴 − 已退）',
    orderId: '充值订单号', orderIdPh: '家长充值记录中的订单号', amount: '退款金额（元）', reason: '退款原因', reasonPh: '例如：多缴、退学、活动取消',
    billHint: '只退在线支付的部分，原路退回家长的支付账户；现金和余额缴纳的部分请线下处理。',
    rechargeHint: '原路退回家长的支付账户，同时从学生余额中扣除；余额不足（已消费）时不能退。',
    submit: '确认退款', done: '已提交退款 {amount}（{no}）',
    problems: { amount: '请输入大于 0 的金额，最多两位小数', above: '不能超过可退金额 {max}', reason: '请填写退款原因', order: '请输入订单号（字母、数字、- 或 _）' },
  },
  refunds: {
    title: '退款', hint: '本校最近 200 笔退款，最新的在前。账单退款请在学杂费项目的账单列表中操作。',
    recharge: '充值退款', allStates: '全部状态', state: '状态', count: '{n} 笔，共 {sum}', empty: '还没有退款',
    at: '提交时间', what: '退款对象', bill: '学杂费', rechargeOrder: '充值', account: '学生账户', amount: '金额', reason: '原因', no: '退款单号', staff: '操作人',
    states: { pending: '待提交', processing: '退款中', succeeded: '已退款', failed: '退款失败', closed: '已关闭' },
    done: '已提交退款 {amount}（{no}），当前状态：{state}',
  },
  notices: {
    title: '通知状态', hint: '本校最近的通知：发给谁（已脱敏）、实际发送渠道与首选渠道（家长没有首选渠道的联系方式、或已取消关注公众号时改走下一个渠道）、是否送达，失败的原因。',
    filter: '按状态筛选', all: '全部', empty: '没有通知', more: '加载更多', filterHint: '筛选只作用于已加载的通知；需要更早的请点“加载更多”。',
    at: '时间', kind: '类型', recipient: '接收人', channel: '首选渠道', delivered: '实际渠道', sep: '、', state: '状态', reason: '原因', attempts: '尝试', done: '完成时间',
    states: { queued: '排队中', sent: '已发送', delivered: '已送达', failed: '失败', withdrawn: '已撤回' },
    channels: { sms: '短信', wechat: '微信', email: '邮件', mailbox: '本地信箱' },
    kinds: {
      login_code: '登录验证码', arrears: '欠费提醒', low_balance: '余额不足', recharge_receipt: '充值到账', card_loss: '挂失', card_reissue: '补卡',
      guardian_bound: '家长绑定', fee_published: '缴费通知', fee_reminder: '催缴提醒', fee_due_tomorrow: '明日截止', refund_done: '退款到账',
      staff_refund_failed: '退款失败（财务）', ops_alarm: '运维告警',
    },
  },
}

export const en: typeof zh = {
  refund: {
    button: 'Refund', billTitle: 'Refund a bill', rechargeTitle: 'Refund a recharge', refundable: 'Refundable (paid − refunded)',
    orderId: 'Recharge order number', orderIdPh: 'The order number in the parent\'s recharge record', amount: 'Amount (yuan)', reason: 'Reason', reasonPh: 'e.g. paid twice, left school, trip cancelled',
    billHint: 'Only what was paid online goes back, to the parent\'s payment account; settle cash and balance payments offline.',
    rechargeHint: 'Goes back to the parent\'s payment account and comes off the pupil\'s balance; money already spent cannot be refunded.',
    submit: 'Refund', done: 'Refund of {amount} sent ({no})',
    problems: { amount: 'Enter an amount above 0, at most two decimals', above: 'At most the refundable {max}', reason: 'Give a reason', order: 'Enter the order number (letters, digits, - or _)' },
  },
  refunds: {
    title: 'Refunds', hint: 'The school\'s last 200 refunds, newest first. Refund a bill from the fee item\'s bills.',
    recharge: 'Refund a recharge', allStates: 'Every state', state: 'State', count: '{n}, {sum} in all', empty: 'No refund yet',
    at: 'Made', what: 'Of', bill: 'Fee', rechargeOrder: 'Recharge', account: 'Pupil account', amount: 'Amount', reason: 'Reason', no: 'Refund number', staff: 'By',
    states: { pending: 'Pending', processing: 'Processing', succeeded: 'Refunded', failed: 'Failed', closed: 'Closed' },
    done: 'Refund of {amount} sent ({no}), now {state}',
  },
  notices: {
    title: 'Notices', hint: 'The school\'s recent notices: to whom (masked), the channel that actually carried it and the preferred one (a parent without an address on the preferred channel, or who unfollowed the official account, gets the next one), whether delivered, and why not.',
    filter: 'Filter by state', all: 'All', empty: 'No notice', more: 'Load more', filterHint: 'The filter applies to the loaded notices; load more for older ones.',
    at: 'Time', kind: 'Kind', recipient: 'Recipient', channel: 'Preferred channel', delivered: 'Sent via', sep: ', ', state: 'State', reason: 'Reason', attempts: 'Attempts', done: 'Done',
    states: { queued: 'Queued', sent: 'Sent', delivered: 'Delivered', failed: 'Failed', withdrawn: 'Withdrawn' },
    channels: { sms: 'SMS', wechat: 'WeChat', email: 'E-mail', mailbox: 'Mailbox' },
    kinds: {
      login_code: 'Login code', arrears: 'Arrears', low_balance: 'Low balance', recharge_receipt: 'Recharge credited', card_loss: 'Card lost', card_reissue: 'Card reissued',
      guardian_bound: 'Guardian bound', fee_published: 'Fee published', fee_reminder: 'Fee reminder', fee_due_tomorrow: 'Fee due tomorrow', refund_done: 'Refund paid',
      staff_refund_failed: 'Refund failed (finance)', ops_alarm: 'Ops alarm',
    },
  },
}
