// Messages of the fee extras (issue 11): the unpaid list as XLSX.
export const zh = {
  feex: {
    exportXlsx: '导出未缴名单（Excel）',
    exportHint: '导出当前班级全部未缴账单（不限已加载的行）；班主任只能导出本班。',
    exportedXlsx: '未缴名单已导出',
  },
}

export const en: typeof zh = {
  feex: {
    exportXlsx: 'Export the unpaid list (Excel)',
    exportHint: 'Exports every unpaid bill of this class (not only the loaded rows); a teacher gets their own class.',
    exportedXlsx: 'Unpaid list exported',
  },
}
