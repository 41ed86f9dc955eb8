// The operator's flow (issue 14): log in with the operator token → the ops page shows
// this member and the demo terminal online → the POS quits → a "terminal offline"
// alarm appears (the harness sets ops.offline_after to 5 s) → acknowledge it → it
// shows who acknowledged. A school admin's session cannot read the ops API.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { demoStaffPassword, startPOS, waitFor } from './harness.mjs'
import { T, check, field, setCurrent, step, text, watch } from './steps.mjs'

export async function opsFlow(browser, sw, artifacts) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  const problems = []
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `ops-${name}.png`), fullPage: true })
  const token = readFileSync(join(sw.dir, 'data', 'operator.token'), 'utf8').trim()
  let pos

  await step('Ops: a school admin\'s session is refused by the ops API (403)', async () => {
    const login = await fetch(`${sw.base}/v1/auth/staff/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ schoolId: '35001', username: 'admin', password: demoStaffPassword(sw, 'admin') }) })
    check(login.ok, `staff login answered ${login.status}`)
    const { token: staff } = await login.json()
    const r = await fetch(`${sw.base}/v1/ops/members`, { headers: { Authorization: `Bearer ${staff}` } })
    check(r.status === 403, `GET /v1/ops/members as school admin answered ${r.status}, want 403`)
  })

  await step('Ops: log in as operator with the operator token; the member and the demo terminal online', async () => {
    pos = await startPOS(sw)
    await page.goto(`${sw.base}/console/login`)
    await page.getByTestId('login-mode').click()
    await field(page, 'operator-token').fill(token)
    await page.getByTestId('operator-login').click()
    await page.waitForURL(/\/console\/ops$/)
    await text(page.getByTestId('ops-members'), '本机')
    await text(page.getByTestId('ops-online-T1'), '在线')
    await text(page.getByTestId('ops-journal'), '每秒提交')
    await page.getByTestId('ops-mailboxes').waitFor() // the busiest actors (empty or not: it moves)
    await page.getByText('最忙的 Actor（邮箱积压）').waitFor()
    await shot('01-members')
  })

  await step('Ops: the POS quits → a terminal-offline alarm → acknowledge it', async () => {
    await pos.stop()
    const row = page.getByTestId('ops-alarms').locator('tr', { hasText: '终端离线' }).filter({ has: page.locator('[data-test^="ops-ack-"]') }).first()
    await waitFor('the terminal-offline alarm on the ops page', async () => (await row.count()) > 0, { timeoutMs: 45_000, everyMs: 500 })
    await text(page.getByTestId('ops-online-T1'), '离线')
    await shot('02-alarm')
    const ack = row.locator('[data-test^="ops-ack-"]')
    const id = (await ack.getAttribute('data-test')).slice('ops-ack-'.length)
    await ack.click()
    await text(page.getByTestId(`ops-acked-${id}`), 'operator')
    await shot('03-acknowledged')
  })

  await step('Ops: a reload keeps the operator on the ops page; logging out ends it', async () => {
    await page.reload()
    await text(page.getByTestId('ops-members'), '本机')
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/console\/login$/)
  })
  await ctx.close()
  check(problems.length === 0, `browser problems on the ops page:\n${problems.join('\n')}`)
}
