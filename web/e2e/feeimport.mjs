// Per-pupil amounts of a fee item (按学生导入金额) in a real browser, on the demo switch.
// A draft item for class 3-1 is created through the REST API; on its page an XLSX
// with a bad row is refused (the row errors table names the line, nothing imported),
// the fixed file is imported (the amounts table and total), the item is published
// and the totals show the imported amounts; once published, no more import.
import { join } from 'node:path'
import { login } from './console.mjs'
import { T, check, setCurrent, step, text, watch } from './steps.mjs'
import { rest } from './rest.mjs'
import { xlsx } from './xlsx.mjs'

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const title = '2026秋季教辅费（按学生）'

export async function feeImport(browser, sw, artifacts) {
  const problems = []
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-feeimport-${name}.png`), fullPage: true })
  const header = ['学号', '姓名', '金额（元）', '备注']
  let itemId = ''

  await step('Console fee import: a draft for 3-1 → an XLSX with a bad amount → the row error, nothing imported', async () => {
    await login(page, sw)
    const created = await rest(page, sw, 'POST', '/v1/staff/fee-items', {
      definition: { title, category: 'books', amountFen: '5000', targetKind: 'classes', classIds: ['3-1'], dueDay: '20261130' },
    })
    itemId = created.item.itemId
    await page.goto(`${sw.base}/console/fees/${encodeURIComponent(itemId)}`)
    await text(page.getByTestId('amounts-none'), '尚未导入')
    const bad = xlsx([header, ['2024000101', '王梓涵', '120.5', ''], ['2024000102', '李浩然', '两百', ''], ['2024000103', '张欣怡', '300', '住校']])
    await page.getByTestId('amounts-file').setInputFiles({ name: '金额.xlsx', mimeType: xlsxType, buffer: bad })
    await page.getByTestId('amounts-import').click()
    await text(page.getByTestId('amounts-failed'), '1 行有错误')
    await text(page.getByTestId('amounts-errors'), '3')
    await shot('01-errors')
    const list = await rest(page, sw, 'GET', `/v1/staff/fee-items/${encodeURIComponent(itemId)}/amounts`)
    check(!(list.amounts?.length), `a refused file stored ${JSON.stringify(list)}`)
  })

  await step('Console fee import: the fixed file → 3 pupils, ¥620.50 in all → publish bills them those amounts', async () => {
    const good = xlsx([header, ['2024000101', '王梓涵', '120.5', ''], ['2024000102', '李浩然', '200', ''], ['2024000103', '张欣怡', '300', '住校']])
    await page.getByTestId('amounts-file').setInputFiles({ name: '金额.xlsx', mimeType: xlsxType, buffer: good })
    await page.getByTestId('amounts-import').click()
    await text(page.getByTestId('amounts-done'), '已导入 3 名学生')
    await text(page.getByTestId('amounts-count'), '¥620.50')
    await text(page.getByTestId('amounts-table'), '住校')
    await shot('02-imported')
    // The same file again (a double submit, a retry): said so, nothing recorded twice.
    await page.getByTestId('amounts-file').setInputFiles({ name: '金额.xlsx', mimeType: xlsxType, buffer: good })
    await page.getByTestId('amounts-import').click()
    await text(page.getByTestId('amounts-done'), '这份文件已导入过')
    await text(page.getByTestId('amounts-count'), '¥620.50')
    await rest(page, sw, 'POST', `/v1/staff/fee-items/${encodeURIComponent(itemId)}:publish`, {})
    await page.reload()
    await text(page.getByTestId('fee-state'), '收费中')
    await text(page.getByTestId('total-due'), '¥620.50')
    await text(page.getByTestId('fee-amounts'), '发布后不能再导入')
    check(await page.getByTestId('amounts-file').count() === 0, 'the file input is still offered after the publish')
  })

  await ctx.close()
  check(problems.length === 0, `browser problems on the fee import:\n${problems.join('\n')}`)
}
