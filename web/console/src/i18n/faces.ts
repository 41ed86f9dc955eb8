// Messages of the school limits page and the staff list (merged into i18n.ts).
export const zh = {
  limits: {
    title: '学校限额', hint: '本校新开账户的默认限额。修改后只对之后开户的学生生效，已开户学生的限额不变。',
    readOnly: '财务可查看限额；只有学校管理员可以修改。',
    singleRechargeMax: '单笔充值上限（元）', balanceCap: '余额上限（元，含处理中的充值）', dailySpendCap: '默认每日消费上限（元，家长可调低）',
    arrearsCap: '欠费上限（元，食堂人工放行时余额最多可低于零的金额）', submit: '保存限额', saved: '限额已保存',
    badAmount: '请输入金额，最多两位小数', positive: '必须大于 0', singleAboveCap: '单笔充值上限不能超过余额上限',
  },
  staffList: {
    title: '本校工作人员', empty: '还没有工作人员', status: '状态', active: '启用', disabled: '已停用',
    disable: '停用', enable: '启用', edit: '修改', actions: '操作', more: '加载更多', you: '（本人）',
  },
}

export const en: typeof zh = {
  limits: {
    title: 'School limits', hint: "The default limits of the school's new accounts. A change applies to accounts opened from now on; pupils' existing accounts keep theirs.",
    readOnly: 'Finance can see the limits; only a school admin can change them.',
    singleRechargeMax: 'Single recharge max (yuan)', balanceCap: 'Balance cap (yuan, pending recharges included)', dailySpendCap: 'Default daily spend cap (yuan, parents may lower it)',
    arrearsCap: 'Arrears cap (yuan a canteen override may take a balance below zero)', submit: 'Save limits', saved: 'Limits saved',
    badAmount: 'Enter an amount, at most two decimals', positive: 'Must be above 0', singleAboveCap: 'The single recharge max cannot exceed the balance cap',
  },
  staffList: {
    title: 'Staff of the school', empty: 'No staff yet', status: 'Status', active: 'Enabled', disabled: 'Disabled',
    disable: 'Disable', enable: 'Enable', edit: 'Edit', actions: 'Actions', more: 'Load more', you: ' (you)',
  },
}
