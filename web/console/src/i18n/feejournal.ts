// Messages of an item's journal of changes and of a pupil added to an open item (issue 11).
export const zh = {
  feej: {
    changes: '变更记录', noChanges: '暂无变更记录', more: '加载更多', seq: '序号', at: '时间', kind: '操作', staff: '操作人', role: '角色',
    pupil: '学生', detail: '说明',
    kinds: {
      create: '创建', edit: '修改', import_amounts: '导入金额', publish: '发布', close: '结束收费', exempt: '减免', cash: '现金登记',
      remind: '提醒家长', refund: '退款', add_pupil: '添加学生',
    } as Record<string, string>,
    roles: { school_admin: '学校管理员', finance: '财务', teacher: '班主任', canteen_manager: '食堂管理员' } as Record<string, string>,
    addPupil: '添加学生', addTitle: '添加学生到收费项目', addHint: '为后来入学或转入的学生生成本项目的账单，并通知其已绑定的家长。已有账单的学生不会重复生成。',
    addClass: '班级', addWho: '学生', pickPupil: '请选择学生', addSubmit: '添加并生成账单', added: '已添加：{name}，账单 {amount}',
    addedAgain: '{name} 已有本项目的账单，未重复生成',
  },
}

export const en: typeof zh = {
  feej: {
    changes: 'Changes', noChanges: 'No change recorded yet', more: 'Load more', seq: 'No.', at: 'Time', kind: 'Action', staff: 'By', role: 'Role',
    pupil: 'Pupil', detail: 'Detail',
    kinds: {
      create: 'Created', edit: 'Edited', import_amounts: 'Amounts imported', publish: 'Published', close: 'Closed', exempt: 'Exemption',
      cash: 'Cash entry', remind: 'Parents reminded', refund: 'Refund', add_pupil: 'Pupil added',
    },
    roles: { school_admin: 'School admin', finance: 'Finance', teacher: 'Teacher', canteen_manager: 'Canteen manager' },
    addPupil: 'Add a pupil', addTitle: 'Add a pupil to the fee item', addHint: 'Makes this item\'s bill for a pupil who joined later and tells their bound parents. A pupil who already has the bill gets no second one.',
    addClass: 'Class', addWho: 'Pupil', pickPupil: 'Pick a pupil', addSubmit: 'Add and bill', added: 'Added: {name}, bill {amount}',
    addedAgain: '{name} already has this item\'s bill: none added',
  },
}
