import { makeI18n } from '@shared/i18n'
import * as notifykinds from './messages/notifykinds'
import * as inbox from './messages/inbox'
import * as wechat from './messages/wechat'
import * as feeextras from './i18n/feeextras'

const zh = {
  ...notifykinds.zh,
  ...inbox.zh,
  ...wechat.zh,
  ...feeextras.zh,
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
  pay: {
    channel: '支付方式', PAY_CHANNEL_H5: '手机支付', PAY_CHANNEL_JSAPI: '微信支付', PAY_CHANNEL_NATIVE: '扫码支付',
    scanHint: '请用微信“扫一扫”扫描二维码完成支付', jsapiCancel: '已取消支付，可点“继续支付”重新支付',
    jsapiFail: '微信支付未完成，可点“继续支付”重试', noBridge: '请在微信中打开本页面后支付，或选择扫码支付',
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
  fees: {
    title: '学杂费', entry: '学杂费', pendingN: '{n} 笔待缴', none: '暂无待缴', pending: '待缴费', paid: '已缴费', empty: '暂无账单', noPaid: '暂无已缴账单',
    due: '截止 {day}', noDue: '无截止日期', outstanding: '待缴 {amount}', paidAmount: '已缴 {amount}',
    categories: { tuition: '学费', books: '教材费', uniform: '校服费', meals: '伙食费', trip: '研学/活动费', insurance: '保险费', other: '其他' },
    status: { unpaid: '未缴', partly_paid: '部分缴纳', paid: '已缴', exempt: '已减免', closed: '已关闭' },
  },
  bill: {
    title: '账单详情', item: '收费项目', category: '类别', child: '学生', dueDay: '截止日期', state: '状态', dueAmount: '应缴金额', paidAmount: '已缴金额',
    exempted: '减免金额', outstanding: '待缴金额', instalments: '分期', oneInstalment: '一次缴清（可分多次缴纳）', balance: '校园卡余额',
    payBalance: '用校园卡余额缴纳 {amount}', payOnline: '在线支付', balanceHint: '从孩子的校园卡余额中扣除，不会产生欠费；学校不允许余额缴费的项目会提示。',
    confirmTitle: '确认缴费', confirm: '将从 {name} 的校园卡余额（{balance}）中扣除 {amount}，用于缴纳“{title}”。确定缴纳吗？',
    done: '缴费成功', receipt: '查看电子收据', notFound: '未找到该账单',
  },
  receipt: {
    title: '电子收据', heading: '缴费收据', school: '学校', child: '学生', item: '收费项目', billNo: '账单号', paid: '实缴金额', exempted: '减免金额',
    state: '状态', dueAmount: '应缴金额', notPaid: '该账单尚未缴费，暂无收据。', print: '保存/打印',
  },
  common: { cancel: '取消', confirm: '确定', loading: '加载中…', back: '返回', error: '出错了' },
}

const en: typeof zh = {
  ...notifykinds.en,
  ...inbox.en,
  ...wechat.en,
  ...feeextras.en,
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
  pay: {
    channel: 'Payment method', PAY_CHANNEL_H5: 'Pay on phone', PAY_CHANNEL_JSAPI: 'WeChat Pay', PAY_CHANNEL_NATIVE: 'Scan to pay',
    scanHint: 'Scan the QR code with WeChat on your phone to pay', jsapiCancel: 'Payment cancelled: tap Pay now to try again',
    jsapiFail: 'WeChat Pay did not finish: tap Pay now to try again', noBridge: 'Open this page in WeChat to pay, or choose Scan to pay',
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
  fees: {
    title: 'School fees', entry: 'School fees', pendingN: '{n} to pay', none: 'Nothing to pay', pending: 'To pay', paid: 'Paid', empty: 'No bill', noPaid: 'No paid bill yet',
    due: 'Due {day}', noDue: 'No due date', outstanding: '{amount} to pay', paidAmount: '{amount} paid',
    categories: { tuition: 'Tuition', books: 'Books', uniform: 'Uniform', meals: 'Meals', trip: 'Trips', insurance: 'Insurance', other: 'Other' },
    status: { unpaid: 'Unpaid', partly_paid: 'Partly paid', paid: 'Paid', exempt: 'Exempt', closed: 'Closed' },
  },
  bill: {
    title: 'Bill', item: 'Fee item', category: 'Category', child: 'Pupil', dueDay: 'Due date', state: 'State', dueAmount: 'Amount due', paidAmount: 'Paid',
    exempted: 'Exempted', outstanding: 'To pay', instalments: 'Instalments', oneInstalment: 'One bill (may be paid in parts)', balance: 'Card balance',
    payBalance: 'Pay {amount} from the card balance', payOnline: 'Pay online', balanceHint: 'Taken from the child\'s card balance, never into arrears; you are told if the school does not allow it for this item.',
    confirmTitle: 'Confirm the payment', confirm: 'Take {amount} from {name}\'s card balance ({balance}) to pay "{title}"?',
    done: 'Paid', receipt: 'See the receipt', notFound: 'No such bill',
  },
  receipt: {
    title: 'Receipt', heading: 'Payment receipt', school: 'School', child: 'Pupil', item: 'Fee item', billNo: 'Bill no.', paid: 'Amount paid', exempted: 'Exempted',
    state: 'State', dueAmount: 'Amount due', notPaid: 'This bill is not paid yet: no receipt.', print: 'Save or print',
  },
  common: { cancel: 'Cancel', confirm: 'OK', loading: 'Loading…', back: 'Back', error: 'Error' },
}

export const i18n = makeI18n({ 'zh-CN': zh, 'en-US': en })
