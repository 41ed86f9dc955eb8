// Messages of the fee extras (issue 11): the unpaid list as XLSX.
export const zh = {
  feex: {
    exportXlsx: '导出未缴名单（Excel）',
    exportHint: '导出当前班级全部未缴账单（不限已加载的行）；班主任只能导出本班。',
    exportedXlsx: '未缴名单已导出',
    remind: '提醒未缴家长', reminded: '已提醒 {queued} 笔，今日已提醒过 {skipped} 笔（21:00–07:00 的提醒次日 7 点发出）',
  },
}

export const en: typeof zh = {
  feex: {
    exportXlsx: 'Export the unpaid list (Excel)',
    exportHint: 'Exports every unpaid bill of this class (not only the loaded rows); a teacher gets their own class.',
    exportedXlsx: 'Unpaid list exported',
    remind: 'Remind the unpaid', reminded: '{queued} reminded, {skipped} already reminded today (made 21:00–07:00: sent at 07:00)',
  },
}
