// The parent's receipt page lists the bill's payments (缴费记录): an item for class 3-1
// is created and published through the REST API, ¥30.00 taken in cash (voucher NO.88);
// the parent logs in, binds 王梓涵 and pays the other ¥50.00 from the card balance; the
// receipt lists both, oldest first, with their method, amount and Shanghai time, and
// reads in English after the language switch. `node e2e/run.mjs receipt` runs it alone.
import { join } from 'node:path'
import { login } from './console.mjs'
import { inboxCount, otpFor } from './harness.mjs'
import { restAs } from './rest.mjs'
import { T, check, field, setCurrent, step, text, watch } from './steps.mjs'

const pupil = 'acc_35001_2024000101' // 王梓涵, class 3-1

export async function receiptPayments(browser, sw, artifacts) {
  const problems = []
  const staff = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const console_ = await staff.newPage()
  let itemId = ''
  await step('Receipt payments: an item for 3-1 published, ¥30.00 of 王梓涵\'s bill taken in cash', async () => {
    setCurrent(console_)
    console_.setDefaultTimeout(T)
    await login(console_, sw)
    const token = await console_.evaluate(() => sessionStorage.getItem('onecode.console.token'))
    const created = await restAs(sw, token, 'POST', '/v1/staff/fee-items', {
      definition: { title: '2026秋季午餐费', category: 'meals', amountFen: '8000', targetKind: 'classes', classIds: ['3-1'], dueDay: '20261130', allowBalance: true },
    })
    itemId = created.item.itemId
    await restAs(sw, token, 'POST', `/v1/staff/fee-items/${encodeURIComponent(itemId)}:publish`, {})
    await restAs(sw, token, 'POST', `/v1/staff/fee-items/${encodeURIComponent(itemId)}/bills/${pupil}:payCash`,
      { amountFen: '3000', voucher: 'NO.88', requestId: 'e2e-cash-1' })
  })
  await staff.close()

  const ctx = await browser.newContext({
    viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', timezoneId: 'America/New_York', // the times must still be Shanghai's
  })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `h5-receipt-${name}.png`), fullPage: true })
  await step('Receipt payments: the parent logs in, binds 王梓涵 and pays ¥50.00 from the balance', async () => {
    const phone = '13900002222'
    await page.goto(`${sw.base}/h5/login`)
    await field(page, 'phone').fill(phone)
    const since = await inboxCount(sw)
    await page.getByTestId('send-code').click()
    await field(page, 'code').fill(await otpFor(sw, phone, since))
    await page.getByTestId('login').click()
    await page.waitForURL(`${sw.base}/h5/`)
    await page.getByTestId('bind').click()
    await field(page, 'school').fill('35001')
    await field(page, 'name').fill('王梓涵')
    await field(page, 'student-no').fill('2024000101')
    await field(page, 'proof').fill('350102201503120020')
    await page.getByTestId('find').click()
    await page.getByTestId('relation-mother').click()
    await page.getByTestId('confirm-bind').click()
    await page.waitForURL(new RegExp(`/h5/child/${pupil}$`))
    const token = await page.evaluate(() => sessionStorage.getItem('onecode.h5.token'))
    await restAs(sw, token, 'POST', `/v1/parent/children/${pupil}/bills/${encodeURIComponent(itemId)}:payFromBalance`,
      { amountFen: '5000', requestId: 'e2e-balance-1' })
  })

  await step('Receipt payments: the receipt lists cash ¥30.00 (NO.88) then the balance ¥50.00, in Shanghai time', async () => {
    await page.goto(`${sw.base}/h5/child/${pupil}/bills/${encodeURIComponent(itemId)}/receipt`)
    await text(page.getByTestId('receipt-amount'), '¥80.00')
    const rows = page.getByTestId('bill-payment')
    await rows.nth(1).waitFor()
    check(await rows.count() === 2, `${await rows.count()} payments listed, want 2`)
    await text(rows.nth(0), '现金')
    await text(rows.nth(0), '¥30.00')
    await text(rows.nth(0), '票据号 NO.88')
    await text(rows.nth(1), '余额支付')
    await text(rows.nth(1), '¥50.00')
    const shanghai = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
    await text(rows.nth(1), shanghai)
    check(await page.getByTestId('bill-payment-refunded').count() === 0, 'a refund shown on a bill with none')
    await shot('01-payments')
  })

  await step('Receipt payments: in English', async () => {
    await page.evaluate(() => localStorage.setItem('onecode.locale', 'en-US'))
    await page.reload()
    await page.getByText('Payments', { exact: true }).waitFor()
    await text(page.getByTestId('bill-payment').nth(0), 'Cash')
    await text(page.getByTestId('bill-payment').nth(1), 'Card balance')
    await shot('02-payments-en')
  })
  await ctx.close()
  check(problems.length === 0, `browser problems on the receipt:\n${problems.join('\n')}`)
}
