// An item's journal of changes (变更记录) and a pupil added to an open item (添加学生) in
// a real browser. The admin's item for class 3-1 is created and published through the
// REST API (the fee pages themselves are fees.mjs); on its page the journal shows the
// create and the publish with the staff member and role; 陈雨桐 of 3-2, who "joined
// later", is added from the dialog (her bill joins the totals, the journal names her);
// adding her again makes no second bill; a cash entry and the close are journaled too;
// the section reads in English after the language switch.
import { join } from 'node:path'
import { confirm, login, pick } from './console.mjs'
import { rest } from './rest.mjs'
import { T, check, field, setCurrent, step, text, watch } from './steps.mjs'

const title = '2026秋季研学费'
const joined = 'acc_35001_2024000201' // 陈雨桐, class 3-2

/** changeRow is the journal row of a kind (its label in the page's language). */
const changeRows = (page) => page.getByTestId('fee-changes').locator('tbody tr')

export async function feeJournal(browser, sw, artifacts) {
  const problems = []
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'America/New_York' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-feejournal-${name}.png`), fullPage: true })
  let itemId = ''
  // 3-1's pupils when the item is published (console.mjs imports one more into 3-1
  // earlier in the full run), each billed ¥80.00.
  let billed = 0
  const yuan = (n) => `¥${(n * 80).toFixed(2)}`

  await step('Console fee journal: an item for 3-1 created and published → its page lists 创建 and 发布 by admin', async () => {
    await login(page, sw)
    const created = await rest(page, sw, 'POST', '/v1/staff/fee-items', {
      definition: { title, category: 'trip', amountFen: '8000', targetKind: 'classes', classIds: ['3-1'], dueDay: '20261130' },
    })
    itemId = created.item.itemId
    const published = await rest(page, sw, 'POST', `/v1/staff/fee-items/${encodeURIComponent(itemId)}:publish`, {})
    billed = Number(published.bills)
    check(billed >= 4, `publishing to 3-1 billed ${published.bills} pupils, want at least its 4`)
    await page.goto(`${sw.base}/console/fees/${encodeURIComponent(itemId)}`)
    await text(page.getByTestId('fee-state'), '收费中')
    await text(page.getByTestId('fee-changes'), '创建')
    await text(page.getByTestId('fee-changes'), '发布')
    await text(page.getByTestId('fee-changes'), '学校管理员')
    check(await changeRows(page).count() === 2, 'the journal has not exactly 2 rows after create and publish')
    await text(page.getByTestId('total-due'), yuan(billed))
  })

  await step('Console fee journal: 添加学生 → class 3-2 → 陈雨桐 → her bill joins the totals, the journal names her', async () => {
    await page.getByTestId('add-pupil').click()
    await text(page.getByRole('dialog'), '添加学生到收费项目')
    await pick(page, 'add-class', /3-2/)
    await pick(page, 'add-who', /陈雨桐/)
    await shot('01-add')
    await page.getByTestId('add-submit').click()
    await text(page.getByRole('alert'), '已添加：陈雨桐，账单 ¥80.00')
    await text(page.getByTestId('fee-changes'), '添加学生')
    await text(page.getByTestId('fee-changes'), joined)
    await text(page.getByTestId('total-due'), yuan(billed + 1))
    await text(page.getByTestId('class-totals'), '3-2')
  })

  await step('Console fee journal: adding 陈雨桐 again makes no second bill (one journal row)', async () => {
    await page.getByTestId('add-pupil').click()
    await pick(page, 'add-class', /3-2/)
    await pick(page, 'add-who', /陈雨桐/)
    await page.getByTestId('add-submit').click()
    await text(page.getByRole('alert').filter({ hasText: '未重复生成' }), '陈雨桐')
    await text(page.getByTestId('total-due'), yuan(billed + 1))
    check(await changeRows(page).count() === 3, 'a second add wrote a second journal row')
  })

  await step('Console fee journal: cash for 王梓涵 and the close are journaled; 3-2\'s bill closes too', async () => {
    await page.getByTestId('cash-acc_35001_2024000101').click()
    await field(page, 'move-voucher').fill('YX-0001')
    await page.getByTestId('move-submit').click()
    await text(page.getByTestId('fee-changes'), 'YX-0001')
    await page.getByTestId('fee-close').click()
    await confirm(page)
    await text(page.getByTestId('fee-state'), '已结束')
    await text(page.getByTestId('fee-changes'), '结束收费')
    check(await changeRows(page).count() === 5, 'the journal has not 5 rows after cash and close')
    check(await page.getByTestId('add-pupil').count() === 0, 'a pupil can be added to a closed item')
    const bills = await rest(page, sw, 'GET', `/v1/staff/fee-items/${encodeURIComponent(itemId)}/bills?classId=3-2`)
    check(bills.bills?.length === 1 && bills.bills[0].status === 'closed', `3-2's bill after the close: ${JSON.stringify(bills)}`)
    await shot('02-closed')
  })

  await step('Console fee journal: the section in English', async () => {
    await page.getByTestId('lang').click()
    await text(page.getByTestId('fee-changes-section'), 'Changes')
    await text(page.getByTestId('fee-changes'), 'Pupil added')
    await text(page.getByTestId('fee-changes'), 'Closed')
    await page.getByTestId('lang').click()
    await text(page.getByTestId('fee-changes-section'), '变更记录')
  })

  await ctx.close()
  check(problems.length === 0, `browser problems on the fee journal:\n${problems.join('\n')}`)
}
