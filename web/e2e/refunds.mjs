// Refunds and the notices' status in a real browser (issue 13, after the parent flow
// recharged ¥50 online and the fee flows ran): the admin gives a finance account an
// e-mail; finance logs in, sees a bill refund refused with the reason in words (the
// bill was paid in cash, nothing online), refunds ¥30.50 of the parent's recharge by
// its order number and sees it listed, then the notices page with its state filter;
// both pages at 1440×900 and 375×812 (nothing wider than the phone), and an axe-core
// scan of the refunds page, the refund dialog and the notices page.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { login } from './console.mjs'
import { api } from './rest.mjs'
import { T, check, field, menu, setCurrent, step, text, watch } from './steps.mjs'

const require = createRequire(import.meta.url)
const axePath = require.resolve('axe-core/axe.min.js')
const finance = { username: 'cw1', password: 'Caiwu-2026-demo!', email: 'cw1@school.test' }

const area = (page, id) => page.locator(`textarea[data-test="${id}"], [data-test="${id}"] textarea`).first()

async function context(browser, artifacts, problems, phone, bypassCSP = false) {
  const size = phone ? { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { viewport: { width: 1440, height: 900 } }
  const ctx = await browser.newContext({ ...size, locale: 'zh-CN', timezoneId: 'America/New_York', bypassCSP })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-${phone ? 'phone-' : ''}refunds-${name}.png`), fullPage: true })
  return { ctx, page, shot }
}

async function loginFinance(page, sw) {
  await page.goto(`${sw.base}/console/login`)
  await field(page, 'school').fill('35001')
  await field(page, 'username').fill(finance.username)
  await field(page, 'password').fill(finance.password)
  await page.getByTestId('login').click()
  await page.waitForURL(/\/console\/pupils/)
}

async function financeAccount(page, sw, shot) {
  await step('Console staff: the admin creates finance account cw1 with an e-mail (a malformed one refused on the page)', async () => {
    await login(page, sw)
    await menu(page, 'staff')
    await page.getByTestId('staff-table').waitFor()
    await field(page, 'staff-username').fill(finance.username)
    await page.getByTestId('staff-role').click()
    await page.getByRole('option', { name: '财务' }).click()
    await field(page, 'staff-email').fill('财务 <cw1@school.test>')
    await text(page.locator('.el-form-item__error'), '请输入正确的邮箱地址')
    check(await page.getByTestId('staff-save').isDisabled(), 'a malformed e-mail can be saved')
    await field(page, 'staff-email').fill(finance.email)
    await field(page, 'staff-password').fill(finance.password)
    await page.getByTestId('staff-save').click()
    await text(page.getByTestId('staff-saved'), finance.email)
    await text(page.getByTestId(`staff-email-${finance.username}`), finance.email)
    await shot('01-finance-account')
    // Disabling and enabling again keeps the address (the form sends it back).
    await page.getByTestId(`staff-toggle-${finance.username}`).click()
    await text(page.getByTestId('staff-table').locator('tr', { hasText: finance.username }), '已停用')
    await page.getByTestId(`staff-toggle-${finance.username}`).click()
    await text(page.getByTestId('staff-table').locator('tr', { hasText: finance.username }), '启用')
    await text(page.getByTestId(`staff-email-${finance.username}`), finance.email)
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/console\/login/)
  })
}

async function billRefused(page, sw, itemId, shot) {
  await step('Console refunds: finance → a bill paid in cash cannot be refunded online (REFUND_* reason in words)', async () => {
    await loginFinance(page, sw)
    for (const item of ['退款', '通知状态', '学杂费']) await text(page.getByTestId('menu'), item)
    check(await page.getByTestId('menu-staff').count() === 0, 'finance sees the staff section')
    await page.goto(`${sw.base}/console/fees/${encodeURIComponent(itemId)}`)
    await page.getByTestId('refund-acc_35001_2024000102').click()
    const dialog = page.getByTestId('refund-dialog')
    await text(dialog, '可退金额')
    await text(dialog, '¥120.50')
    await field(page, 'refund-amount').fill('120.51')
    await page.getByTestId('refund-submit').click()
    await text(dialog.locator('.el-form-item__error'), '不能超过可退金额 ¥120.50')
    await field(page, 'refund-amount').fill('30.50')
    await page.getByTestId('refund-submit').click()
    await text(dialog.locator('.el-form-item__error'), '请填写退款原因')
    await area(page, 'refund-reason').fill('多缴')
    await page.getByTestId('refund-submit').click()
    await text(dialog.getByTestId('error'), '没有可退的在线支付')
    await shot('02-bill-refused')
    await dialog.getByRole('button', { name: '取消' }).click()
  })
}

async function rechargeRefund(page, sw, shot) {
  await step('Console refunds: refund ¥30.50 of the parent\'s ¥50 recharge by its order number → listed with its state', async () => {
    check(sw.rechargeOrderId, 'the parent flow left no recharge order id')
    await menu(page, 'refunds')
    await page.waitForURL(/\/console\/refunds/)
    await page.getByTestId('refunds').waitFor()
    await page.getByTestId('refund-recharge').click()
    const dialog = page.getByTestId('refund-dialog')
    await field(page, 'refund-order').fill('rc_no_such_order')
    await field(page, 'refund-amount').fill('30.50')
    await area(page, 'refund-reason').fill('家长申请退回部分充值')
    await page.getByTestId('refund-submit').click()
    await text(dialog.getByTestId('error'), '未找到该订单或退款')
    await field(page, 'refund-order').fill(sw.rechargeOrderId)
    await field(page, 'refund-amount').fill('50.01')
    await page.getByTestId('refund-submit').click()
    await text(dialog.getByTestId('error'), /退款金额超过可退金额|余额不足/)
    await field(page, 'refund-amount').fill('30.50')
    await shot('03-recharge-dialog')
    await page.getByTestId('refund-submit').click()
    await text(page.getByTestId('refund-done'), '已提交退款 ¥30.50')
    const row = page.getByTestId('refunds').locator('tr', { hasText: sw.rechargeOrderId })
    await text(row, '¥30.50')
    await text(row, /待提交|退款中|已退款/)
    await text(row, '家长申请退回部分充值')
    const r = await (await api(page, sw, '/v1/staff/refunds')).json()
    check(r.refunds?.some((x) => x.orderId === sw.rechargeOrderId && x.amountFen === '3050'), `refunds: ${JSON.stringify(r)}`)
    await shot('04-refunds')
  })
}

async function noticesPage(page, sw, shot) {
  await step('Console notices: each notice with state, channel and reason; the state filter', async () => {
    await menu(page, 'notices')
    await page.waitForURL(/\/console\/notices/)
    const table = page.getByTestId('notices')
    await page.getByTestId('notice-state').first().waitFor()
    await text(table, /微信|短信/) // the preferred channel of the guardians' notices
    await text(table, 'acc_****') // recipients masked
    const states = await page.getByTestId('notice-state').allTextContents()
    const want = states[states.length - 1].trim()
    const key = { 排队中: 'queued', 已发送: 'sent', 已送达: 'delivered', 失败: 'failed', 已撤回: 'withdrawn' }[want]
    check(key, `unknown state ${want}`)
    await page.getByTestId(`notice-filter-${key}`).click()
    await page.waitForFunction((w) => [...document.querySelectorAll('[data-test="notice-state"]')].every((e) => e.textContent.trim() === w), want, { timeout: T })
    await shot('05-notices')
    await page.getByTestId('notice-filter-all').click()
    await page.waitForFunction((n) => document.querySelectorAll('[data-test="notice-state"]').length === n, states.length, { timeout: T })
  })
}

async function phone(browser, sw, artifacts, problems) {
  await step('Console refunds and notices at 375×812: nothing wider than the phone, the menu in the drawer', async () => {
    const { ctx, page, shot } = await context(browser, artifacts, problems, true)
    await loginFinance(page, sw)
    await page.getByTestId('burger').click()
    await menu(page, 'refunds')
    await page.waitForURL(/\/console\/refunds/)
    await text(page.getByTestId('refunds'), '¥30.50')
    let width = await page.evaluate(() => document.documentElement.scrollWidth)
    check(width <= 376, `the refunds page is ${width} px wide on a 375 px phone`)
    await shot('01-refunds')
    await page.getByTestId('refund-recharge').click()
    await page.getByTestId('refund-order').waitFor()
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    check(width <= 376, `the refund dialog is ${width} px wide on a 375 px phone`)
    await shot('02-refund-dialog')
    await page.getByTestId('refund-dialog').getByRole('button', { name: '取消' }).click()
    await page.goto(`${sw.base}/console/notices`)
    await page.getByTestId('notice-state').first().waitFor()
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    check(width <= 376, `the notices page is ${width} px wide on a 375 px phone`)
    await shot('03-notices')
    await ctx.close()
  })
}

async function axe(browser, sw, artifacts) {
  await step('Console refunds and notices: axe-core scan (no serious or critical violation)', async () => {
    // As console.mjs: axe is injected in a context that bypasses the CSP, for the scan only.
    const { ctx, page } = await context(browser, artifacts, [], false, true)
    await ctx.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
      const s = document.createElement('style')
      s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }'
      document.head.appendChild(s)
    }))
    await loginFinance(page, sw)
    const bad = []
    const report = []
    const scan = async (name) => {
      await page.addScriptTag({ path: axePath })
      const r = await page.evaluate(async () => {
        const res = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
        return res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(' ') + ' ' + (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240) }))
      })
      report.push(`${name}: ${r.length ? r.map((v) => `${v.id}(${v.impact}, ${v.nodes})`).join(' ') : 'no violation'}`)
      for (const v of r) if (v.impact === 'serious' || v.impact === 'critical') bad.push(`${name}: ${v.id} (${v.impact}) ×${v.nodes} at ${v.target}`)
    }
    await page.goto(`${sw.base}/console/refunds`)
    await page.getByTestId('refund-state').first().waitFor()
    await scan('refunds')
    await page.getByTestId('refund-recharge').click()
    await page.getByTestId('refund-order').waitFor()
    await scan('refund dialog')
    await page.goto(`${sw.base}/console/notices`)
    await page.getByTestId('notice-state').first().waitFor()
    await scan('notices')
    console.log('\n   axe: ' + report.join('\n   axe: '))
    await ctx.close()
    check(bad.length === 0, `accessibility violations:\n${bad.join('\n')}`)
  })
}

/** refundsFlow needs the parent flow's recharge (sw.rechargeOrderId) and the fee item of fees.mjs. */
export async function refundsFlow(browser, sw, artifacts, itemId) {
  const problems = []
  const { ctx, page, shot } = await context(browser, artifacts, problems, false)
  await financeAccount(page, sw, shot)
  await billRefused(page, sw, itemId, shot)
  await rechargeRefund(page, sw, shot)
  await noticesPage(page, sw, shot)
  await ctx.close()
  await phone(browser, sw, artifacts, problems)
  check(problems.length === 0, `browser problems on the refunds and notices pages:\n${problems.join('\n')}`)
  await axe(browser, sw, artifacts)
}
