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
  [Reason.NotFound]: '未找到（或无权查看）',
  [Reason.InvalidPageSize]: '每页条数不正确',
  [Reason.InvalidCardExpiry]: '卡有效期不正确',
  [Reason.CanteenNotFound]: '未找到该食堂',
  [Reason.TerminalExists]: '该终端编号已注册（密钥不会再次显示）',
  [Reason.ClassTooLarge]: '班级人数超过一张卡片页的上限',
  [Reason.NoCards]: '该班级没有可打印的有效卡片',
  [Reason.NoCardRandomLeft]: '该学生的补卡次数已用完',
  [Reason.ReissueSuperseded]: '已有更新的补卡，请刷新后再试',
  [Reason.UnknownClass]: '班级不存在（请先在系统中建立该班级）',
  [Reason.InvalidClassID]: '班级代码不正确',
  [Reason.StudentNoRequired]: '缺少学号',
  [Reason.DuplicateStudentNo]: '学号在文件中重复',
  [Reason.InvalidStudentNo]: '学号应为10位数字',
  [Reason.InvalidName]: '姓名不正确（1–64个字符）',
  [Reason.InvalidIDNumber]: '身份证号不正确（请把该列设为文本格式）',
  [Reason.InvalidRow]: '该行数据不正确',
  [Reason.InvalidFile]: '文件无法读取：请使用带表头（学号、姓名、班级、身份证号）的 XLSX 或 CSV 文件',
  [Reason.TooManyErrors]: '错误行太多，请先修正文件',
  [Reason.PupilExists]: '该学号的学生已存在且信息不同（如需更新请选择“更新已有学生”）',
  [Reason.SelfLockout]: '不能停用自己或降低自己的角色',
  [Reason.InvalidPassword]: '密码应为10–128个字符',
  [Reason.PasswordRequired]: '新建账号需要设置密码',
  [Reason.ClassIDRequired]: '班主任需要指定班级',
  [Reason.StaffIDTaken]: '该用户名已被占用',
  [Reason.StaffConflict]: '账号冲突，请换一个用户名',
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
  [Reason.NotFound]: 'Not found (or not yours to see)',
  [Reason.InvalidPageSize]: 'Invalid page size',
  [Reason.InvalidCardExpiry]: 'Invalid card expiry',
  [Reason.CanteenNotFound]: 'No such canteen',
  [Reason.TerminalExists]: 'This terminal id is already registered (its secret is not shown again)',
  [Reason.ClassTooLarge]: 'The class has more pupils than one card sheet holds',
  [Reason.NoCards]: 'The class has no active card to print',
  [Reason.NoCardRandomLeft]: 'This pupil has no card re-issue left',
  [Reason.ReissueSuperseded]: 'A newer re-issue exists: reload and try again',
  [Reason.UnknownClass]: 'No such class (create the class first)',
  [Reason.InvalidClassID]: 'Invalid class code',
  [Reason.StudentNoRequired]: 'The student number is missing',
  [Reason.DuplicateStudentNo]: 'The student number appears twice in the file',
  [Reason.InvalidStudentNo]: 'The student number is 10 digits',
  [Reason.InvalidName]: 'Invalid name (1–64 characters)',
  [Reason.InvalidIDNumber]: 'Invalid ID number (format the column as text)',
  [Reason.InvalidRow]: 'This row is not valid',
  [Reason.InvalidFile]: 'The file cannot be read: use an XLSX or CSV file with the header 学号, 姓名, 班级, 身份证号',
  [Reason.TooManyErrors]: 'Too many bad rows: fix the file first',
  [Reason.PupilExists]: 'A pupil with this student number exists with other details (choose "update existing pupils" to update)',
  [Reason.SelfLockout]: 'You cannot disable or demote yourself',
  [Reason.InvalidPassword]: 'The password is 10–128 characters',
  [Reason.PasswordRequired]: 'A new account needs a password',
  [Reason.ClassIDRequired]: 'A teacher needs a class',
  [Reason.StaffIDTaken]: 'This username is taken',
  [Reason.StaffConflict]: 'Account conflict: choose another username',
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

/** reasonText is the words for a reason (a row error's, say), else the server's message. */
export function reasonText(reason: string, message: string, locale: string): string {
  const table: Messages = locale === 'en-US' ? en : zh
  return table[reason] ?? message
}
