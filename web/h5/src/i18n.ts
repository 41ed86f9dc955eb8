import { makeI18n } from '@shared/i18n'

const zh = {
  app: { title: '一码通', lang: 'English' },
  login: {
    title: '家长登录', phone: '手机号', phonePh: '请输入11位手机号', code: '验证码', codePh: '6位数字',
    send: '获取验证码', resend: '{n}秒后重发', sent: '验证码已发送', submit: '登录', hint: '首次登录后请绑定孩子',
  },
  children: {
    title: '我的孩子', empty: '还没有绑定孩子', bind: '绑定孩子', balance: '余额', today: '今日消费', cap: '每日限额',
    noCap: '不限', logout: '退出登录', logoutConfirm: '确定退出登录吗？',
  },
  card: { active: '正常', lost: '已挂失', expired: '已过期' },
  detail: {
    title: '孩子详情', balance: '账户余额', card: '校园卡', recharge: '充值', history: '消费明细', dailyCap: '每日限额',
    reportLoss: '挂失校园卡', lossConfirm: '挂失后，这张卡上的二维码立即停止使用，需到学校补办新卡。余额不受影响。确定挂失吗？',
    lossDone: '已挂失', arrearsCap: '可欠费额度', arrears: '已欠费',
  },
  history: {
    title: '消费明细', empty: '暂无记录', dayTotal: '当日消费 {amount}', end: '没有更多了', arrears: '欠费',
    kinds: {
      purchase: '消费', void: '撤销', recharge: '充值', subsidy: '补助', fee: '缴费', loss_report: '挂失', reissue: '补卡', limits: '限额变更',
    },
  },
  recharge: {
    title: '充值', amount: '充值金额（元）', amountPh: '输入金额', other: '其他金额',
    rules: '单笔充值不能超过学校设定的上限；余额加上未完成的充值不能超过余额上限。超出时会提示当前最多可充多少。',
    submit: '去支付 {amount}', invalid: '请输入正确的金额（最多两位小数）',
    paying: '正在跳转到支付页面…',
  },
  result: {
    title: '充值结果', checking: '正在确认支付结果…', credited: '充值成功', awaiting: '等待支付', pending: '处理中',
    closed: '订单已关闭（未支付）', failed: '支付渠道不可用，未扣款', payNow: '继续支付', back: '返回孩子详情',
    slow: '暂未收到支付结果，可稍后在孩子详情查看余额', retry: '刷新', amount: '金额', order: '订单号',
  },
  cap: {
    title: '每日限额', current: '当前限额', field: '每日消费上限（元）', ph: '0 表示不限', submit: '保存',
    hint: '孩子每天在食堂消费的总额超过该限额时将被拒绝。', saved: '已保存',
  },
  bind: {
    title: '绑定孩子', school: '学校代码', schoolPh: '如 35001', name: '孩子姓名', studentNo: '学号', studentNoPh: '10位学号',
    proof: '绑定凭证', proofPh: '学校发放的绑定码，或孩子的身份证号',
    proofHint: '为保护孩子信息，绑定需要学校发放的一次性绑定码（找班主任领取），或孩子的完整身份证号。',
    find: '查找', confirmTitle: '请确认是您的孩子', relation: '关系', confirm: '确认绑定', again: '重新查找', done: '绑定成功',
    relations: { mother: '妈妈', father: '爸爸', guardian: '其他监护人' },
  },
  common: { cancel: '取消', confirm: '确定', loading: '加载中…', back: '返回', error: '出错了' },
}

const en: typeof zh = {
  app: { title: 'OneCode', lang: '中文' },
  login: {
    title: 'Parent login', phone: 'Mobile', phonePh: '11-digit mobile number', code: 'Code', codePh: '6 digits',
    send: 'Send code', resend: 'Resend in {n}s', sent: 'Code sent', submit: 'Log in', hint: 'After the first login, bind your child',
  },
  children: {
    title: 'My children', empty: 'No child bound yet', bind: 'Bind a child', balance: 'Balance', today: 'Spent today',
    cap: 'Daily cap', noCap: 'none', logout: 'Log out', logoutConfirm: 'Log out now?',
  },
  card: { active: 'Active', lost: 'Lost', expired: 'Expired' },
  detail: {
    title: 'Child', balance: 'Balance', card: 'Card', recharge: 'Recharge', history: 'History', dailyCap: 'Daily cap',
    reportLoss: 'Report the card lost', lossConfirm: 'The QR code on this card stops working at once; the school issues a new card. The balance stays. Report it lost?',
    lossDone: 'Reported lost', arrearsCap: 'Arrears allowed', arrears: 'In arrears',
  },
  history: {
    title: 'History', empty: 'Nothing yet', dayTotal: 'Spent this day {amount}', end: 'No more', arrears: 'arrears',
    kinds: {
      purchase: 'Meal', void: 'Voided', recharge: 'Recharge', subsidy: 'Subsidy', fee: 'Fee', loss_report: 'Card lost', reissue: 'New card', limits: 'Limits changed',
    },
  },
  recharge: {
    title: 'Recharge', amount: 'Amount (yuan)', amountPh: 'Enter an amount', other: 'Other',
    rules: 'One recharge may not exceed the school\'s single maximum, and the balance plus pending recharges may not exceed the balance cap. If it would, you are told the most you can recharge now.',
    submit: 'Pay {amount}', invalid: 'Enter an amount with at most two decimals',
    paying: 'Opening the payment page…',
  },
  result: {
    title: 'Recharge', checking: 'Checking the payment…', credited: 'Recharged', awaiting: 'Waiting for payment', pending: 'Processing',
    closed: 'Order closed (not paid)', failed: 'Payment service unavailable; nothing was charged', payNow: 'Pay now', back: 'Back to the child',
    slow: 'No result yet: check the balance on the child\'s page later', retry: 'Refresh', amount: 'Amount', order: 'Order',
  },
  cap: {
    title: 'Daily cap', current: 'Current cap', field: 'Daily spend cap (yuan)', ph: '0 means no cap', submit: 'Save',
    hint: 'Canteen purchases beyond this total in one day are declined.', saved: 'Saved',
  },
  bind: {
    title: 'Bind a child', school: 'School code', schoolPh: 'e.g. 35001', name: 'Child\'s name', studentNo: 'Student number', studentNoPh: '10 digits',
    proof: 'Proof', proofPh: 'Bind code from the school, or the pupil\'s ID number',
    proofHint: 'To protect pupils, binding needs a one-time bind code from the school (ask the class teacher), or the pupil\'s full ID number.',
    find: 'Find', confirmTitle: 'Is this your child?', relation: 'Relation', confirm: 'Bind', again: 'Search again', done: 'Bound',
    relations: { mother: 'Mother', father: 'Father', guardian: 'Guardian' },
  },
  common: { cancel: 'Cancel', confirm: 'OK', loading: 'Loading…', back: 'Back', error: 'Error' },
}

export const i18n = makeI18n({ 'zh-CN': zh, 'en-US': en })
