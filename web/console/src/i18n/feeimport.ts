// Messages of the per-pupil amount import of a fee item (issue 11).
export const zh = {
  feeimp: {
    title: '按学生导入金额',
    hint: '上传 XLSX 或 CSV：表头含“学号”“金额（元）”，可选“备注”。全部正确才会导入；导入后发布时只向名单中的学生收费，各按其金额。',
    file: '金额文件',
    submit: '导入金额',
    badType: '请选择 .xlsx 或 .csv 文件',
    tooBig: '文件不能超过 4 MB',
    failed: '{n} 行有错误，未导入任何金额，请修正后重新上传',
    done: '已导入 {n} 名学生，合计 {total}',
    already: '这份文件已导入过，未重复记录：{n} 名学生，合计 {total}',
    none: '尚未导入：发布时按项目金额向目标学生收费',
    count: '共 {n} 名学生，合计 {total}',
    line: '行号', studentNo: '学号', amount: '金额', note: '备注', reason: '原因', detail: '详情',
    draftOnly: '项目发布后不能再导入金额',
  },
}

export const en: typeof zh = {
  feeimp: {
    title: 'Amounts per pupil',
    hint: 'Upload XLSX or CSV with the headers 学号/student_no and 金额/amount (yuan), optionally 备注/note. Nothing is imported unless every row is right; publishing then bills exactly these pupils their amounts.',
    file: 'Amount file',
    submit: 'Import amounts',
    badType: 'Choose an .xlsx or .csv file',
    tooBig: 'The file must be at most 4 MB',
    failed: '{n} rows have errors: nothing was imported, fix the file and upload it again',
    done: '{n} pupils imported, {total} in all',
    already: 'This file was already imported; nothing recorded twice: {n} pupils, {total} in all',
    none: 'Nothing imported: publishing bills the target at the item amount',
    count: '{n} pupils, {total} in all',
    line: 'Line', studentNo: 'Student no', amount: 'Amount', note: 'Note', reason: 'Reason', detail: 'Detail',
    draftOnly: 'Amounts cannot be imported once the item is published',
  },
}
