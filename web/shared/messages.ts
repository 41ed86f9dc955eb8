// What a reason means, in words a parent or a staff member understands. A reason
// without an entry shows the server's own message.

import { NetworkFailure, Reason } from './reasons'

type Messages = Record<string, string>

const zh: Messages = {
  [NetworkFailure]: '网络异常，请检查网络后重试',
  [Reason.Unauthenticated]: '登录已过期，请重新登录',
  [Reason.PermissionDenied]: '没有权限进行此操作',
  [Reason.RateLimited]: '操作太频繁，请稍后再试',
  [Reason.ResourceExhausted]: '操作太频繁，请稍后再试',
  [Reason.Unavailable]: '服务暂时不可用，请稍后再试',
  [Reason.DeadlineExceeded]: '请求超时，请稍后再试',
  [Reason.Internal]: '系统错误，请稍后再试',
  [Reason.InvalidPhone]: '请输入11位手机号',
  [Reason.InvalidCode]: '验证码错误或已过期',
  [Reason.InvalidCodeFormat]: '验证码为6位数字',
  [Reason.InvalidCredentials]: '学校代码、用户名或密码错误',
  [Reason.StaffDisabled]: '该账号已停用',
  [Reason.RoleNotAllowed]: '当前角色不能进行此操作',
  [Reason.ParentOnly]: '仅家长可用',
  [Reason.StaffOnly]: '仅学校工作人员可用',
  [Reason.ChildNotFound]: '未找到该学生，请核对学校、姓名和学号',
  [Reason.TooManyChildren]: '绑定的孩子已达上限',
  [Reason.TooManyGuardians]: '该学生绑定的家长已达上限',
  [Reason.BindTicketInvalid]: '确认已过期，请重新查找',
  [Reason.BindProofRequired]: '请填写学校发放的绑定码或身份证号后几位',
  [Reason.BindProofInvalid]: '绑定凭证不正确',
  [Reason.NotBound]: '您尚未绑定该学生',
  [Reason.CardLost]: '该卡已挂失',
  [Reason.CardExpired]: '该卡已过期',
  [Reason.InvalidAmount]: '金额不正确',
  [Reason.RechargeDisabled]: '暂不支持在线充值',
  [Reason.AggregatorUnavailable]: '支付渠道暂时不可用，请稍后再试',
  [Reason.RechargeNotFound]: '未找到该充值订单',
  [Reason.InvalidLimits]: '限额不正确',
}

const en: Messages = {
  [NetworkFailure]: 'Network problem: check the connection and try again',
  [Reason.Unauthenticated]: 'Your session has ended: please log in again',
  [Reason.PermissionDenied]: 'You may not do this',
  [Reason.RateLimited]: 'Too many attempts: try again later',
  [Reason.ResourceExhausted]: 'Too many attempts: try again later',
  [Reason.Unavailable]: 'The service is unavailable: try again later',
  [Reason.DeadlineExceeded]: 'The request timed out: try again later',
  [Reason.Internal]: 'System error: try again later',
  [Reason.InvalidPhone]: 'Enter an 11-digit mobile number',
  [Reason.InvalidCode]: 'Wrong or expired code',
  [Reason.InvalidCodeFormat]: 'The code is 6 digits',
  [Reason.InvalidCredentials]: 'Wrong school code, username or password',
  [Reason.StaffDisabled]: 'This account is disabled',
  [Reason.RoleNotAllowed]: 'Your role may not do this',
  [Reason.ParentOnly]: 'For parents only',
  [Reason.StaffOnly]: 'For school staff only',
  [Reason.ChildNotFound]: 'No such pupil: check the school, name and student number',
  [Reason.TooManyChildren]: 'You have bound the most children allowed',
  [Reason.TooManyGuardians]: 'This pupil has the most guardians allowed',
  [Reason.BindTicketInvalid]: 'The confirmation expired: search again',
  [Reason.BindProofRequired]: 'Enter the bind code from the school or the ID-number tail',
  [Reason.BindProofInvalid]: 'The proof is not right',
  [Reason.NotBound]: 'This pupil is not bound to you',
  [Reason.CardLost]: 'The card is reported lost',
  [Reason.CardExpired]: 'The card has expired',
  [Reason.InvalidAmount]: 'Invalid amount',
  [Reason.RechargeDisabled]: 'Online recharge is not available',
  [Reason.AggregatorUnavailable]: 'The payment service is unavailable: try again later',
  [Reason.RechargeNotFound]: 'No such recharge order',
  [Reason.InvalidLimits]: 'Invalid limit',
}

export const reasonMessages = { 'zh-CN': zh, 'en-US': en }

/**
 * errorText is what a page shows for a failure: the reason in the page's language
 * when it has words for it, else the server's message (it names the numbers, e.g. the
 * recharge room left under the balance cap).
 */
export function errorText(e: unknown, locale: string): string {
  const table: Messages = locale === 'en-US' ? en : zh
  const err = e as { reason?: string; message?: string } | null
  if (err && typeof err.reason === 'string' && table[err.reason]) return table[err.reason]
  if (err && typeof err.message === 'string' && err.message) return err.message
  return String(e)
}
