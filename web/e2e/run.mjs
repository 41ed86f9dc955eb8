// Browser tests of the web faces: Debian's Chromium driven by playwright-core against a
// real `onecode serve --demo`. Run from web/: `node e2e/run.mjs` (scripts/test.sh does,
// with ONECODE_BIN set). Screenshots go to web/test-artifacts/ (ONECODE_ARTIFACTS).
//
// Parent flow: log in with the code from the log → bind a demo pupil → see the child →
// recharge → pay on the sandbox aggregator's page → back: the order is credited and the
// balance rises → history with the day's total → daily cap → report the card lost →
// fees: the bill published in the console paid from the balance, its receipt →
// language → log out; 扫码支付 (paychan.mjs): the QR of a Native order's code_url,
// scanned on the sandbox, credits the wallet. Fee journal (feejournal.mjs): an item's changes and a pupil
// added to it; `node e2e/run.mjs feejournal` runs that flow alone. Fee import (feeimport.mjs):
// per-pupil amounts from an XLSX (a bad row refused, then imported and billed); `node e2e/run.mjs feeimport`. Fees (fees.mjs): an item for a class created, published, cash
// and an exemption recorded, the unpaid list exported, then closed. Staff (console.mjs): log in → import an XLSX with a bad row (row
// errors, nothing imported) → fix → import → class sheet PDF → a card pays at the
// terminal → report it lost → refused at the terminal → re-issue → the new card pays;
// canteens, terminals, dishes, totals, staff; the phone layout; an axe-core scan of
// every console page; the school limits form and the staff list (faces.mjs). WeChat
// (wechat.mjs): a parent links WeChat through the push sandbox's OAuth page, then an
// arrears sale sends them a template message. `node e2e/run.mjs wechat` runs only
// the flows named (here: wechat) on a fresh switch. Every page must load without a Content-Security-Policy violation
// or an uncaught error. Refunds (refunds.mjs): a finance account with an e-mail, a bill
// refund refused in words, ¥30.50 of the parent's recharge refunded and listed, the
// notices' status with its filter, at desktop and phone width, with an axe-core scan.
// Receipt payments (receipt.mjs): a bill paid in cash and from the balance lists both
// payments on its receipt page, on a fresh switch after the others; `node e2e/run.mjs receipt` runs it alone.
import { chromium, selectors } from 'playwright-core'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureChromium, ensureCjkFont, launchArgs, inboxCount, otpFor, startSwitch } from './harness.mjs'
import { T, check, current, field, setCurrent, step, steps, text, watch } from './steps.mjs'
import { consoleFlows } from './console.mjs'
import { feesCreate, feesFinish, feesParent } from './fees.mjs'
import { opsFlow } from './ops.mjs'
import { inboxParent } from './faces2.mjs'
import { feeJournal } from './feejournal.mjs'
import { feeImport } from './feeimport.mjs'
import { wechatFlow } from './wechat.mjs'
import { payChanInWeChat, payChanParent } from './paychan.mjs'
import { refundsFlow } from './refunds.mjs'
import { receiptPayments } from './receipt.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const binary = resolve(process.env.ONECODE_BIN || join(here, '../../bin/onecode'))
const artifacts = resolve(process.env.ONECODE_ARTIFACTS || join(here, '../test-artifacts'))
async function parentFlow(browser, sw) {
  const ctx = await browser.newContext({
    viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', timezoneId: 'America/New_York', // dates must still be Shanghai's
  })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  const problems = []
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `h5-${name}.png`), fullPage: true })
  const phone = '13900001111'

  await step('H5: security headers and SPA fallback', async () => {
    const r = await fetch(`${sw.base}/h5/child/acc_x/history`)
    check(r.ok, `SPA fallback answered ${r.status}`)
    const csp = r.headers.get('content-security-policy') ?? ''
    check(csp.includes("frame-ancestors 'none'") && csp.includes("script-src 'self'"), `CSP: ${csp}`)
    check(r.headers.get('referrer-policy') === 'no-referrer', 'Referrer-Policy')
    const html = await r.text()
    check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/<style/i.test(html) && !/ style=/i.test(html), 'index.html has inline script or style')
  })

  await step('H5: log in with the code from the push sandbox SMS inbox (a wrong code is refused on the page)', async () => {
    await page.goto(`${sw.base}/h5/`)
    await page.waitForURL(/\/h5\/login/)
    await field(page, 'phone').fill(phone)
    const since = await inboxCount(sw)
    await page.getByTestId('send-code').click()
    const code = await otpFor(sw, phone, since)
    check(!sw.log.includes(code) && !sw.log.includes(phone), 'the code or the phone is in the switch log')
    const wrong = String((Number(code[0]) + 1) % 10) + code.slice(1)
    await field(page, 'code').fill(wrong)
    await page.getByTestId('login').click()
    await text(page.getByTestId('error'), '验证码错误')
    await shot('01-login-error')
    await field(page, 'code').fill(code)
    await page.getByTestId('login').click()
    await page.waitForURL(`${sw.base}/h5/`)
    await page.getByText('还没有绑定孩子').waitFor()
    await shot('02-no-children')
  })

  await step('H5: bind a child (find → masked check → bind)', async () => {
    await page.getByTestId('bind').click()
    await field(page, 'school').fill('35001')
    await field(page, 'name').fill('王梓涵')
    await field(page, 'student-no').fill('2024000101')
    await field(page, 'proof').fill('350102201503120020')
    await shot('03-bind-form')
    await page.getByTestId('find').click()
    await text(page.getByTestId('found'), '三年级1班')
    await shot('04-bind-confirm')
    await page.getByTestId('relation-father').click()
    await page.getByTestId('confirm-bind').click()
    await page.waitForURL(/\/h5\/child\/acc_35001_2024000101$/)
    await text(page.getByTestId('balance'), '¥200.00')
  })

  await step('H5: children list with balance, card state and today\'s spend', async () => {
    await page.goto(`${sw.base}/h5/`)
    const card = page.getByTestId('child').first()
    await text(card.getByTestId('balance'), '¥200.00')
    await text(card.getByTestId('card-state'), '正常')
    await text(card.getByTestId('spent-today'), '¥0.00')
    await shot('05-children')
    await card.click()
    await page.waitForURL(/\/h5\/child\//)
  })

  await step('H5: recharge ¥50 → sandbox pay page → back → credited, balance rises', async () => {
    await page.getByTestId('go-recharge').click()
    await text(page.getByTestId('rules'), '单笔充值')
    await page.getByTestId('preset-50').click()
    await shot('06-recharge')
    await page.getByTestId('pay').click()
    await page.waitForURL((u) => u.href.startsWith(`${sw.sandbox}/sandbox/pay/`))
    await shot('07-sandbox-pay')
    await page.getByRole('button', { name: /Pay ¥50\.00/ }).click()
    await page.getByText('SUCCESS').waitFor()
    for (let i = 0; i < 3 && !page.url().startsWith(`${sw.base}/h5/`); i++) await page.goBack()
    await page.waitForURL(/\/h5\/recharges\//)
    sw.rechargeOrderId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()) // refunded in refunds.mjs
    await text(page.getByTestId('recharge-state'), '充值成功')
    await text(page.getByTestId('balance'), '¥250.00')
    await shot('08-recharge-credited')
    await page.getByTestId('back-to-child').click()
    await page.waitForURL(/\/h5\/child\/[^/]+$/)
    await text(page.getByTestId('balance'), '¥250.00')
  })

  await step('H5: history with the day\'s total (Asia/Shanghai)', async () => {
    const id = page.url().split('/child/')[1]
    await page.getByTestId('go-history').click()
    await text(page.getByTestId('amount'), '+¥50.00')
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    await text(page.getByTestId('day'), day)
    await text(page.getByTestId('day-total'), '当日消费 ¥0.00')
    await shot('09-history')
    await page.goto(`${sw.base}/h5/child/${id}`)
  })

  await step('H5: daily cap', async () => {
    await page.getByTestId('go-cap').click()
    await page.getByTestId('current-cap').waitFor() // the child (and its current cap) loaded
    await field(page, 'cap').fill('30')
    await page.getByTestId('save-cap').click()
    await text(page.getByTestId('current-cap'), '¥30.00')
    await shot('10-daily-cap')
    await page.goBack()
  })

  await step('H5: report the card lost (confirm dialog) → card shows lost', async () => {
    await text(page.getByTestId('balance'), '¥250.00')
    await page.getByTestId('report-loss').click()
    const dialog = page.getByRole('dialog')
    await text(dialog, '挂失后')
    await shot('11-loss-confirm')
    await dialog.getByRole('button', { name: '确认' }).click()
    await text(page.getByTestId('card-state'), '已挂失')
    await shot('12-card-lost')
    await page.goto(`${sw.base}/h5/`)
    await text(page.getByTestId('child').first().getByTestId('card-state'), '已挂失')
  })

  await feesParent(page, sw, shot)
  await inboxParent(page, sw, shot)
  await payChanParent(page, sw, shot)
  await payChanInWeChat(page, sw, shot)

  await step('H5: English, then log out', async () => {
    await page.getByTestId('lang').click()
    await page.getByText('My children').waitFor()
    await text(page.getByTestId('card-state'), 'Lost')
    await shot('13-english')
    await page.getByTestId('lang').click()
    await page.getByText('我的孩子').waitFor()
    await page.getByTestId('logout').click()
    await page.getByRole('dialog').getByRole('button', { name: '确认' }).click()
    await page.waitForURL(/\/h5\/login/)
    const token = await page.evaluate(() => sessionStorage.getItem('onecode.h5.token'))
    check(token === null, 'the token is still in sessionStorage after logout')
  })

  check(problems.length === 0, `browser problems on the H5:\n${problems.join('\n')}`)
  await ctx.close()
}

// Flows that need nothing before them, runnable alone: node e2e/run.mjs wechat
const standalone = { wechat: wechatFlow, feejournal: feeJournal, feeimport: feeImport, receipt: receiptPayments }
const only = process.argv.slice(2).map((a) => a.replace(/^e2e\//, '').replace(/\.mjs$/, ''))

async function main() {
  const exe = ensureChromium()
  if (!exe) return
  ensureCjkFont()
  selectors.setTestIdAttribute('data-test')
  rmSync(artifacts, { recursive: true, force: true })
  const t0 = Date.now()
  let sw, browser
  try {
    await step('start onecode serve --demo', async () => { sw = await startSwitch({ binary, artifacts }) })
    browser = await chromium.launch({ executablePath: exe, headless: true, args: launchArgs, timeout: 60_000 })
    if (only.length > 0) {
      for (const name of only) {
        if (!standalone[name]) throw new Error(`no standalone flow ${name} (have ${Object.keys(standalone).join(', ')})`)
        await standalone[name](browser, sw, artifacts)
      }
    } else {
      const feeItem = await feesCreate(browser, sw, artifacts)
      await parentFlow(browser, sw)
      await consoleFlows(browser, sw, artifacts)
      await feesFinish(browser, sw, artifacts, feeItem)
      await refundsFlow(browser, sw, artifacts, feeItem)
      await feeJournal(browser, sw, artifacts)
      await feeImport(browser, sw, artifacts)
      await opsFlow(browser, sw, artifacts)
      await wechatFlow(browser, sw, artifacts)
      // The receipt flow binds 王梓涵 to a parent of its own and pays from a known
      // balance: it runs on a fresh switch.
      await sw.stop()
      await step('start a fresh onecode serve --demo for the receipt flow', async () => { sw = await startSwitch({ binary, artifacts }) })
      await receiptPayments(browser, sw, artifacts)
    }
  } catch (e) {
    const page = current()
    await page?.screenshot({ path: join(artifacts, 'FAILED.png'), fullPage: true }).catch(() => undefined)
    if (page) console.error(`failed at ${page.url()}; screenshot ${join(artifacts, 'FAILED.png')}`)
    throw e
  } finally {
    await browser?.close().catch(() => undefined)
    await sw?.stop()
  }
  console.log(`== browser tests passed: ${steps.length} steps in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${artifacts}`)
  console.log(`browser: ${steps.length} passed, 0 failed`)
}

main().catch(async (e) => {
  console.log('FAILED')
  console.error(e?.stack || e)
  process.exit(1)
})
