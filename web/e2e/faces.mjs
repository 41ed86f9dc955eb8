// The school limits form and the staff list in a real browser (issue 13): limits typed
// in yuan stored in fen exactly, a broken rule refused on the page, the school's staff
// with roles, an account disabled and enabled again; screenshots of the limits and fee
// pages at 1440×900 and 375×812.
import { join } from 'node:path'
import { login } from './console.mjs'
import { api } from './rest.mjs'
import { T, check, field, menu, setCurrent, step, text, watch } from './steps.mjs'

async function context(browser, artifacts, problems, phone) {
  const size = phone ? { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { viewport: { width: 1440, height: 900 } }
  const ctx = await browser.newContext({ ...size, locale: 'zh-CN' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-${phone ? 'phone-' : ''}${name}.png`), fullPage: true })
  return { ctx, page, shot }
}

async function limitsDesktop(page, sw, shot) {
  await step('Console: school limits → the demo school\'s defaults in yuan', async () => {
    await menu(page, 'limits')
    await page.waitForURL(/\/console\/limits/)
    for (const [k, want] of [['singleRechargeMax', '1000'], ['balanceCap', '2000'], ['dailySpendCap', '100'], ['arrearsCap', '30']]) {
      await page.waitForFunction(([id, v]) => document.querySelector(`input[data-test="${id}"], [data-test="${id}"] input`)?.value === v, [`limit-${k}`, want], { timeout: T })
    }
  })
  await step('Console: school limits → a single max above the balance cap is refused on the page, nothing sent', async () => {
    await field(page, 'limit-singleRechargeMax').fill('3000')
    await page.getByTestId('limits-save').click()
    await page.getByText('单笔充值上限不能超过余额上限').waitFor()
    const r = await (await api(page, sw, '/v1/staff/limits')).json()
    check(r.limits.singleRechargeMaxFen === '100000', `the limits changed: ${JSON.stringify(r)}`)
  })
  await step('Console: school limits → saved in fen exactly (¥500.05 → 50005 fen, ¥0.1 → 10 fen)', async () => {
    for (const [k, v] of [['singleRechargeMax', '500.05'], ['balanceCap', '1,500'], ['dailySpendCap', '80.5'], ['arrearsCap', '0.1']]) await field(page, `limit-${k}`).fill(v)
    await page.getByTestId('limits-save').click()
    await page.getByTestId('limits-saved').waitFor()
    const r = await (await api(page, sw, '/v1/staff/limits')).json()
    const got = JSON.stringify(r.limits)
    check(got === JSON.stringify({ singleRechargeMaxFen: '50005', balanceCapFen: '150000', dailySpendCapFen: '8050', arrearsCapFen: '10' }), `stored: ${got}`)
    await page.reload()
    await page.waitForFunction(() => document.querySelector('input[data-test="limit-dailySpendCap"], [data-test="limit-dailySpendCap"] input')?.value === '80.50', null, { timeout: T })
    await shot('20-limits')
  })
}

async function staffList(page, sw, shot) {
  await step('Console: staff list → the school\'s accounts with roles; disable teacher32, enable again', async () => {
    await menu(page, 'staff')
    const table = page.getByTestId('staff-table')
    await text(table, 'teacher32')
    await text(table, '班主任')
    await text(table, '学校管理员')
    const row = table.locator('tr').filter({ hasText: 'teacher32' })
    await text(row, '启用')
    await page.getByTestId('staff-toggle-teacher32').click()
    await text(row, '已停用')
    const r = await (await api(page, sw, '/v1/staff/staff')).json()
    check(r.staff.some((u) => u.username === 'teacher32' && !u.enabled), `teacher32 still enabled: ${JSON.stringify(r.staff)}`)
    check(!JSON.stringify(r).includes('argon2'), 'a password hash in the staff list')
    await shot('21-staff-list')
    await page.getByTestId('staff-toggle-teacher32').click()
    await page.getByTestId('staff-toggle-teacher32').filter({ hasText: '停用' }).waitFor()
  })
}

async function phone(browser, sw, artifacts, problems) {
  await step('Console at 375×812: the limits form and the fee items fit the phone', async () => {
    const { ctx, page, shot } = await context(browser, artifacts, problems, true)
    await login(page, sw)
    await page.goto(`${sw.base}/console/limits`)
    await page.waitForFunction(() => document.querySelector('input[data-test="limit-arrearsCap"], [data-test="limit-arrearsCap"] input')?.value === '0.10', null, { timeout: T })
    let width = await page.evaluate(() => document.documentElement.scrollWidth)
    check(width <= 376, `the limits page is ${width} px wide on a 375 px phone`)
    await shot('04-limits')
    await page.goto(`${sw.base}/console/fees`)
    await page.getByTestId('fee-items').first().waitFor()
    await shot('05-fees')
    await ctx.close()
  })
}

/** facesFlow runs the limits and staff-list steps as the demo admin. */
export async function facesFlow(browser, sw, artifacts) {
  const problems = []
  const { ctx, page, shot } = await context(browser, artifacts, problems, false)
  await login(page, sw)
  await limitsDesktop(page, sw, shot)
  await staffList(page, sw, shot)
  await page.goto(`${sw.base}/console/fees`)
  await page.getByTestId('fee-items').first().waitFor()
  await shot('22-fees')
  await ctx.close()
  await phone(browser, sw, artifacts, problems)
  check(problems.length === 0, `browser problems on the limits and staff pages:\n${problems.join('\n')}`)
}
