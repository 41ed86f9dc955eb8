// Fees (学杂费) in a real browser. Before the parent flow, the admin defines an item for
// class 3-1 in the console, publishes it (4 bills), sees the per-class totals and
// chart, takes cash for one pupil (with a voucher) and exempts another (with a
// reason), filters and exports the unpaid list. The parent flow (run.mjs) then pays
// their child's bill from the card balance and opens the receipt. After the console
// flows, the totals count the parent's payment, the teacher of 3-1 sees the item read
// only, and the admin closes it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { confirm, login, pick, scanToo } from './console.mjs'
import { T, check, field, menu, setCurrent, step, text, watch } from './steps.mjs'

export const feeTitle = '2026秋季教材费'
const xlsxless = 'the unpaid list'

async function desktop(browser, artifacts, problems) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true, timezoneId: 'America/New_York' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-fees-${name}.png`), fullPage: true })
  return { ctx, page, shot }
}

/** area is a textarea of the page, whether the test id sits on it or on its wrapper. */
const area = (page, id) => page.locator(`textarea[data-test="${id}"], [data-test="${id}"] textarea`).first()

/** billRow is the row of a pupil in the bills table. */
const billRow = (page, name) => page.getByTestId('bills').locator('tr', { hasText: name })

/** feesCreate answers the new item's id. */
export async function feesCreate(browser, sw, artifacts) {
  const problems = []
  const { ctx, page, shot } = await desktop(browser, artifacts, problems)
  let itemId = ''

  await step('Console fees: a draft item for class 3-1 (¥120.50 a pupil, typed in yuan) → publish → 4 bills', async () => {
    await login(page, sw)
    await menu(page, 'fees')
    await page.waitForURL(/\/console\/fees$/)
    await page.getByTestId('fee-add').click()
    await page.waitForURL(/\/console\/fees\/new/)
    await page.getByTestId('fee-save').click()
    await text(page.locator('.el-form-item__error'), '请填写项目名称') // checked on the page, nothing sent
    await field(page, 'fee-title').fill(feeTitle)
    await pick(page, 'fee-category', '教材费')
    await field(page, 'fee-amount').fill('120.5')
    await pick(page, 'fee-classes', /3-1/)
    await page.keyboard.press('Escape')
    await field(page, 'fee-due').fill('2026-09-30')
    await shot('01-new')
    await page.getByTestId('fee-save').click()
    await page.waitForURL(/\/console\/fees\/(?!new$)[^/]+$/)
    itemId = decodeURIComponent(page.url().split('/fees/')[1])
    await text(page.getByTestId('fee-state'), '草稿')
    await text(page.getByTestId('fee-amount'), '¥120.50')
    await page.getByTestId('fee-publish').click()
    await text(page.getByRole('dialog'), '每名学生生成一张账单')
    await confirm(page)
    await text(page.getByTestId('published'), '共 4 张账单')
    await text(page.getByTestId('fee-state'), '收费中')
  })

  await step('Console fees: totals, paid/unpaid per class (table and chart), the bills of 3-1', async () => {
    await text(page.getByTestId('total-due'), '¥482.00')
    await text(page.getByTestId('total-outstanding'), '¥482.00')
    await text(page.getByTestId('class-totals'), '3-1')
    await page.getByTestId('fee-chart').locator('canvas').first().waitFor()
    for (const name of ['王梓涵', '李浩然', '张欣怡', '刘宇轩']) await text(page.getByTestId('bills'), name)
    await text(page.getByTestId('bill-count'), '共 4 张，未收 ¥482.00')
  })

  await step('Console fees: cash with a voucher for 李浩然 → paid; exemption with a reason for 张欣怡 → exempt', async () => {
    await page.getByTestId('cash-acc_35001_2024000102').click()
    await text(page.getByRole('dialog'), '现金/转账登记')
    check(await field(page, 'move-amount').inputValue() === '120.50', 'the cash amount is not the outstanding amount')
    await field(page, 'move-voucher').fill('SJ-2026-0001')
    await shot('02-cash')
    await page.getByTestId('move-submit').click()
    await text(page.getByRole('alert'), '已登记：李浩然 ¥120.50')
    await text(billRow(page, '李浩然'), '已缴')
    await page.getByTestId('exempt-acc_35001_2024000103').click()
    await area(page, 'move-reason').fill('')
    await page.getByTestId('move-submit').click()
    await text(page.getByRole('dialog'), '请填写减免原因')
    await area(page, 'move-reason').fill('家庭经济困难，经校务会批准')
    await page.getByTestId('move-submit').click()
    await text(billRow(page, '张欣怡'), '已减免')
    await text(page.getByTestId('total-paid'), '¥120.50')
    await text(page.getByTestId('total-exempted'), '¥120.50')
    await text(page.getByTestId('total-outstanding'), '¥241.00')
    await text(page.getByTestId('total-settled'), '2 / 4')
    await shot('03-detail')
  })

  await step(`Console fees: the unpaid filter and ${xlsxless} as XLSX`, async () => {
    await page.getByTestId('filter-unpaid').click()
    await text(page.getByTestId('bill-count'), '共 2 张，未收 ¥241.00')
    check(await billRow(page, '李浩然').count() === 0, 'a paid bill under the unpaid filter')
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.getByTestId('export').click()])
    const xlsx = readFileSync(await download.path())
    check(download.suggestedFilename().endsWith('.xlsx'), `export name: ${download.suggestedFilename()}`)
    check(xlsx.subarray(0, 4).toString('latin1') === 'PK\x03\x04', 'the export is not an XLSX workbook (zip)')
  })

  await ctx.close()
  check(problems.length === 0, `browser problems on the console's fee pages:\n${problems.join('\n')}`)
  scanToo('fee', `/console/fees/${encodeURIComponent(itemId)}`, 'class-totals')
  return itemId
}

/** feesParent: the parent's page (already logged in, child bound, balance ¥250.00) pays the bill from the balance. */
export async function feesParent(page, sw, shot) {
  await step('H5 fees: the child\'s pending bill → detail → pay from the balance (confirm) → paid → receipt', async () => {
    // The demo's own item (the autumn uniform, whole school) is pending too.
    await page.goto(`${sw.base}/h5/child/acc_35001_2024000101`)
    await text(page.getByTestId('go-bills'), '2 笔待缴')
    await page.getByTestId('go-bills').click()
    await text(page.getByTestId('pending-bills'), feeTitle)
    await text(page.getByTestId('pending-bills'), '¥120.50')
    await text(page.getByTestId('pending-bills'), '截止 2026-09-30')
    await shot('14-bills')
    await page.getByTestId('bill').filter({ hasText: feeTitle }).click()
    await text(page.getByTestId('bill-state'), '未缴')
    await text(page.getByTestId('child-balance'), '¥250.00')
    check(await page.getByTestId('pay-online').count() === 1, 'no pay-online button on a pending bill')
    await shot('15-bill')
    await page.getByTestId('pay-balance').click()
    const dialog = page.getByRole('dialog')
    await text(dialog, '¥120.50')
    await shot('16-pay-confirm')
    await dialog.getByRole('button', { name: '确认' }).click()
    await text(page.getByTestId('bill-state'), '已缴')
    await text(page.getByTestId('bill-paid'), '¥120.50')
    await page.getByTestId('go-receipt').click()
    await text(page.getByTestId('receipt-amount'), '¥120.50')
    await text(page.getByTestId('receipt-item'), feeTitle)
    await text(page.getByTestId('receipt-state'), '已缴')
    await shot('17-receipt')
    await page.goto(`${sw.base}/h5/child/acc_35001_2024000101`)
    await text(page.getByTestId('balance'), '¥129.50')
    await text(page.getByTestId('go-bills'), '1 笔待缴')
    await page.goto(`${sw.base}/h5/`)
  })
}

export async function feesFinish(browser, sw, artifacts, itemId) {
  const problems = []
  const { ctx, page, shot } = await desktop(browser, artifacts, problems)
  await step('Console fees: the teacher of 3-1 sees the item and its bills, read only', async () => {
    await login(page, sw, 'teacher31')
    await menu(page, 'fees')
    await page.getByTestId('fee-link').filter({ hasText: feeTitle }).click()
    await text(page.getByTestId('class-totals'), '3-1')
    await text(page.getByTestId('bills'), '王梓涵')
    check(await page.getByTestId('fee-close').count() === 0, 'a teacher may close the item')
    check(await page.getByTestId('cash-acc_35001_2024000104').count() === 0, 'a teacher may take cash')
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/console\/login/)
  })

  await step('Console fees: the parent\'s payment counted → close the item (confirm) → no more payment', async () => {
    await login(page, sw)
    await page.goto(`${sw.base}/console/fees/${encodeURIComponent(itemId)}`)
    await text(page.getByTestId('total-paid'), '¥241.00')
    await text(page.getByTestId('total-settled'), '3 / 4')
    await text(billRow(page, '王梓涵'), '已缴')
    await shot('04-after-parent')
    await page.getByTestId('fee-close').click()
    await text(page.getByRole('dialog'), feeTitle)
    await confirm(page)
    await text(page.getByTestId('fee-state'), '已结束')
    check(await page.getByTestId('cash-acc_35001_2024000104').count() === 0, 'cash is offered on a closed item')
    await menu(page, 'fees')
    await text(page.getByTestId('fee-items'), '已结束')
    await shot('05-closed')
  })
  await ctx.close()
  check(problems.length === 0, `browser problems on the console's fee pages:\n${problems.join('\n')}`)
}
