// The staff console in a real browser: the flows of issue 13 (import with row errors →
// fix → import → class sheet → loss → refused at the terminal), the other screens,
// the phone layout and an axe-core scan of every page.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { demoCard, demoStaffPassword, startPOS } from './harness.mjs'
import { api } from './rest.mjs'
import { T, check, field, menu, setCurrent, step, text, watch } from './steps.mjs'
import { xlsx } from './xlsx.mjs'
import { facesFlow } from './faces.mjs'

const require = createRequire(import.meta.url)
const axePath = require.resolve('axe-core/axe.min.js')
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())

// Staff sessions kept across flows, by switch and username. The staff login allows
// 5 a minute per user, and on a fast machine the flows log in faster than that: a
// flow after the first takes the kept session into its tab (as a reload would)
// unless a logout ended it, and logs in through the page only then.
const keptSessions = new Map()

/** login opens the console as username, through the login page or a kept session. */
export async function login(page, sw, username = 'admin') {
  const key = `${sw.base} ${username}`
  const kept = keptSessions.get(key)
  if (kept && (await fetch(`${sw.base}/v1/auth/whoami`, { headers: { Authorization: 'Bearer ' + kept } })).ok) {
    await page.goto(`${sw.base}/console/login`)
    await page.evaluate((t) => sessionStorage.setItem('onecode.console.token', t), kept)
    await page.goto(`${sw.base}/console/pupils`)
    await page.waitForURL(/\/console\/pupils/)
    return
  }
  await page.goto(`${sw.base}/console/login`)
  await field(page, 'school').fill('35001')
  await field(page, 'username').fill(username)
  await field(page, 'password').fill(demoStaffPassword(sw, username))
  await page.getByTestId('login').click()
  await page.waitForURL(/\/console\/pupils/)
  keptSessions.set(key, await page.evaluate(() => sessionStorage.getItem('onecode.console.token')))
}

/** pick chooses an option of an Element Plus select. */
export async function pick(page, testId, option) {
  await page.getByTestId(testId).click()
  await page.getByRole('option', { name: option }).click()
}

/** ok answers whether a dialog's confirm button is there and clicks it. */
export async function confirm(page) {
  const box = page.getByRole('dialog').filter({ has: page.getByRole('button', { name: '确定' }) }).last()
  await box.getByRole('button', { name: '确定' }).click()
}

async function pupilsFlow(page, sw, shot) {
  await step('Console: log in as the demo admin → role menu → the school\'s pupils, a class, search', async () => {
    await page.goto(`${sw.base}/`)
    await page.getByRole('link', { name: /学校管理后台/ }).click()
    await page.waitForURL(/\/console\/login/)
    await shot('01-login')
    await field(page, 'school').fill('35001')
    await field(page, 'username').fill('admin')
    await field(page, 'password').fill(demoStaffPassword(sw, 'admin'))
    await page.getByTestId('login').click()
    await page.waitForURL(/\/console\/pupils/)
    await text(page.getByTestId('who'), '学校管理员')
    for (const item of ['学生', '食堂', '营业统计', '学杂费', '工作人员']) await text(page.getByTestId('menu'), item)
    await text(page.getByTestId('pupils'), '2024000204') // the whole school at first
    await text(page.getByTestId('pupils'), '2024000101')
    await pick(page, 'class', /3-2/)
    await page.waitForURL(/class=3-2/)
    await text(page.getByTestId('count'), '共 4 人')
    await field(page, 'search').fill('黄俊')
    await text(page.getByTestId('pupils'), '黄俊杰')
    check(await page.getByTestId('pupils').getByText('陈雨桐').count() === 0, 'the search left other pupils shown')
    await shot('02-pupils')
  })

  await step('Console: import an XLSX with a bad row → row errors, nothing imported', async () => {
    await page.getByTestId('go-import').click()
    await page.waitForURL(/\/console\/pupils\/import/)
    const header = ['学号', '姓名', '班级', '身份证号']
    const bad = xlsx([header, ['2024000301', '赵一', '3-1', ''], ['2024000302', '钱二', '9-9', '']])
    await page.getByTestId('file').setInputFiles({ name: '新生.xlsx', mimeType: xlsxType, buffer: bad })
    await page.getByTestId('import').click()
    await text(page.getByTestId('import-failed'), '没有导入任何学生')
    await text(page.getByTestId('row-errors'), '班级不存在')
    await text(page.getByTestId('row-errors').locator('td').first(), '3')
    await shot('03-import-errors')
    const r = await api(page, sw, '/v1/staff/pupils/acc_35001_2024000301')
    check(r.status === 404, `a rejected file imported a pupil (GET answered ${r.status})`)
  })

  await step('Console: fix the file → import → created, with the outcome per row', async () => {
    const good = xlsx([['学号', '姓名', '班级', '身份证号'], ['2024000301', '赵一', '3-1', ''], ['2024000302', '钱二', '3-2', '']])
    await page.getByTestId('file').setInputFiles({ name: '新生.xlsx', mimeType: xlsxType, buffer: good })
    await page.getByTestId('import').click()
    await text(page.getByTestId('import-done'), '导入完成：共 2 人')
    await text(page.getByTestId('import-counts'), '新建 2')
    await text(page.getByTestId('import-rows'), '2024000302')
    await shot('04-import-done')
    // The same file again, in update mode: both unchanged.
    await page.getByTestId('mode-update').click()
    await page.getByTestId('file').setInputFiles({ name: '新生.xlsx', mimeType: xlsxType, buffer: good })
    await page.getByTestId('import').click()
    await text(page.getByTestId('import-counts'), '未变 2')
    const r = await api(page, sw, '/v1/staff/pupils/acc_35001_2024000301')
    check(r.ok, `the imported pupil is not there (${r.status})`)
  })

  await step('Console: download the class card sheet (a PDF arrives, fetched with the header)', async () => {
    await page.getByTestId('to-pupils').click()
    await page.waitForURL(/\/console\/pupils/)
    await pick(page, 'class', /3-1/)
    await text(page.getByTestId('pupils'), '赵一')
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.getByTestId('sheet').click()])
    const path = await download.path()
    const pdf = readFileSync(path)
    check(pdf.subarray(0, 5).toString() === '%PDF-', `the sheet is not a PDF: ${JSON.stringify(pdf.subarray(0, 16).toString())}`)
    check(download.suggestedFilename() === 'class-3-1-cards.pdf', `file name ${download.suggestedFilename()}`)
    check(!download.url().includes('token'), 'a token in the download URL')
  })
}

async function cardFlow(page, sw, shot) {
  const pos = await startPOS(sw)
  const pay = async (qr, want) => {
    pos.send('/clear') // a declined sale keeps its cart
    await pos.expect(/cart empty/, 'an empty cart')
    pos.send('D1001')
    await pos.expect(/TOTAL ¥?1\.00/, 'the cart total')
    pos.send(qr)
    return pos.expect(want, String(want))
  }
  try {
    const card = demoCard(sw, '2024000102')
    await step('Terminal: the card of 2024000102 pays', async () => {
      await pay(card, /APPROVED[^\n]*/)
    })

    await step('Console: pupil detail with balance, card and history → report the card lost (confirm)', async () => {
      await field(page, 'search').fill('李浩然')
      await page.getByTestId('pupil-link').filter({ hasText: '李浩然' }).click()
      await page.waitForURL(/\/console\/pupils\/acc_35001_2024000102$/)
      await text(page.getByTestId('balance'), '¥149.00')
      await text(page.getByTestId('card-state'), '正常')
      await text(page.getByTestId('history'), '-¥1.00')
      await shot('05-pupil')
      const [one] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.getByTestId('print-card').click()])
      const cardPdf = readFileSync(await one.path())
      check(cardPdf.subarray(0, 5).toString() === '%PDF-', 'the pupil\'s card is not a PDF')
      check(one.suggestedFilename() === 'card-2024000102.pdf', `file name ${one.suggestedFilename()}`)
      await page.getByTestId('report-loss').click()
      await text(page.getByRole('dialog'), '旧卡二维码立即失效')
      await shot('06-loss-confirm')
      await confirm(page)
      await text(page.getByTestId('card-state'), '已挂失')
    })

    await step('Terminal: the lost card is refused', async () => {
      const line = await pay(card, /DECLINED[^\n]*/)
      check(/lost/i.test(line), `the terminal declined for another reason: ${line}`)
    })

    await step('Console: re-issue the card (the new QR shown, to print) → it pays at the terminal', async () => {
      await page.getByTestId('reissue').click()
      await page.getByTestId('reissue-submit').click()
      const qr = (await page.getByTestId('new-qr').textContent()).trim()
      check(qr.startsWith('OC1:'), `new QR ${qr}`)
      await text(page.getByRole('dialog'), '请打印新卡')
      await shot('07-reissued')
      await page.keyboard.press('Escape')
      await text(page.getByTestId('card-state'), '正常')
      await pay(qr, /APPROVED[^\n]*/)
      check(/DECLINED/.test(await pay(card, /(APPROVED|DECLINED)[^\n]*/)), 'the old card pays after the re-issue')
    })

    await step('Console: a bind code for the parents\' slip (shown once, large, print button)', async () => {
      await page.getByTestId('bind-code').click()
      const code = (await page.getByTestId('the-code').textContent()).trim()
      check(/^[0-9A-Z]{4,6}-?[0-9A-Z]{4,6}$/.test(code), `bind code ${code}`)
      await page.getByTestId('print-slip').waitFor()
      await shot('08-bind-code')
      await page.keyboard.press('Escape')
      await text(page.getByTestId('guardians'), '尚无家长绑定')
    })
  } finally {
    await pos.stop()
  }
}

async function canteenFlow(page, sw, shot) {
  await step('Console: canteens → register a terminal (secret shown once) → disable it', async () => {
    await menu(page, 'canteens')
    await page.waitForURL(/\/console\/canteens/)
    const c1 = page.getByTestId('canteen-C1')
    await text(c1.getByTestId('terminals'), 'T1')
    await c1.getByTestId('register').click()
    await field(page, 'terminal-id').fill('T9')
    await field(page, 'terminal-name').fill('二号窗口')
    await page.getByTestId('register-submit').click()
    const secret = (await page.getByTestId('secret').textContent()).trim()
    check(/^[0-9a-f]{64}$/.test(secret), `terminal secret ${secret}`)
    await text(page.getByRole('dialog'), '只显示这一次')
    await shot('09-terminal-secret')
    await page.getByRole('dialog').getByRole('button', { name: /Close|关闭/ }).click()
    await text(c1.getByTestId('terminals'), 'T9')
    await c1.getByTestId('enabled-T9').click()
    await text(page.getByRole('alert'), '已停用 T9')
    await page.reload()
    await page.getByTestId('enabled-T9').waitFor()
    check(await page.getByTestId('enabled-T9').locator('input').isChecked() === false, 'T9 still enabled after a reload')
  })

  await step('Console: dishes → add one with price, nutrition and allergens', async () => {
    await page.getByTestId('canteen-C1').getByTestId('dishes').click()
    await page.waitForURL(/\/console\/canteens\/C1\/dishes/)
    await text(page.getByTestId('dishes'), 'D1006')
    await page.getByTestId('add-dish').click()
    await field(page, 'dish-barcode').fill('D2001')
    await field(page, 'dish-name').fill('水果拼盘')
    await field(page, 'dish-price').fill('5.5')
    await page.getByLabel('蛋白质(克)').fill('1.2')
    await page.getByLabel('热量(千卡)').fill('90')
    await page.getByTestId('save-dish').click()
    await text(page.getByTestId('dishes'), '水果拼盘')
    await text(page.getByTestId('dishes'), '¥5.50')
    await text(page.getByTestId('dishes'), '1.2')
    await shot('10-dishes')
  })

  await step('Console: download the canteen\'s dish barcode labels (a PDF)', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.getByTestId('dish-labels').click()])
    const pdf = readFileSync(await download.path())
    check(pdf.subarray(0, 5).toString() === '%PDF-', 'the dish labels are not a PDF')
    check(download.suggestedFilename() === 'dish-labels-C1.pdf', `file name ${download.suggestedFilename()}`)
  })

  await step('Console: canteen totals per day with a chart', async () => {
    await menu(page, 'totals')
    await page.waitForURL(/\/console\/totals/)
    await text(page.getByTestId('days'), today())
    await text(page.getByTestId('total'), '合计：2 笔，¥2.00') // the card's two approved sales
    await page.getByTestId('chart').locator('canvas').first().waitFor()
    await shot('11-totals')
  })

  await step('Console: a staff account (teacher of 3-2)', async () => {
    await menu(page, 'staff')
    await field(page, 'staff-username').fill('teacher32')
    await pick(page, 'staff-class', /3-2/)
    await field(page, 'staff-password').fill('a-long-password-32')
    await page.getByTestId('staff-save').click()
    await text(page.getByTestId('staff-saved'), '已保存：teacher32（班主任）')
    await shot('12-staff')
  })

  await step('Console: English, then Chinese again', async () => {
    await page.getByTestId('lang').click()
    await text(page.getByTestId('menu'), 'Canteen totals')
    await page.getByText('Staff accounts').waitFor()
    await shot('13-english')
    await page.getByTestId('lang').click()
    await text(page.getByTestId('menu'), '营业统计')
  })
}

async function phoneFlow(browser, sw, artifacts, problems) {
  await step('Console at 375×812 (management H5): collapsible menu, pupils, detail', async () => {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const page = await ctx.newPage()
    setCurrent(page)
    page.setDefaultTimeout(T)
    watch(page, problems)
    const shot = (name) => page.screenshot({ path: join(artifacts, `console-phone-${name}.png`), fullPage: true })
    await login(page, sw, 'teacher31')
    await text(page.getByTestId('pupils'), '王梓涵') // the teacher's class 3-1
    check(await page.getByTestId('menu').count() === 0, 'the side menu is shown on a phone')
    await shot('01-pupils')
    await page.getByTestId('burger').click()
    await page.getByTestId('menu-pupils').waitFor()
    await shot('02-menu')
    await menu(page, 'pupils')
    await page.getByTestId('pupil-link').filter({ hasText: '赵一' }).click()
    await text(page.getByTestId('card-state'), '正常')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    check(width <= 375 + 1, `the detail page is ${width} px wide on a 375 px phone`)
    await shot('03-pupil')
    await ctx.close()
  })
}

// The console's pages and what each shows once loaded, for the accessibility scan.
const scanned = [
  ['login', '/console/login', 'login'],
  ['pupils', '/console/pupils', 'pupils'],
  ['import', '/console/pupils/import', 'import'],
  ['pupil', '/console/pupils/acc_35001_2024000102', 'history'],
  ['canteens', '/console/canteens', 'terminals'],
  ['dishes', '/console/canteens/C1/dishes', 'dishes'],
  ['totals', '/console/totals', 'days'],
  ['staff', '/console/staff', 'staff-save'],
  ['staff list', '/console/staff', 'staff-table'],
  ['limits', '/console/limits', 'limits-save'],
  ['fees', '/console/fees', 'fee-items'],
  ['fee (new)', '/console/fees/new', 'fee-form'],
]

/** scanToo adds a page to the accessibility scan (a fee item's page, made by fees.mjs). */
export function scanToo(name, path, ready) {
  scanned.push([name, path, ready])
}

async function axeScan(browser, sw, artifacts) {
  await step('Console: axe-core scan of every page (no serious or critical violation)', async () => {
    // The switch's CSP allows only its own scripts: axe is injected in a context
    // that bypasses CSP, for the scan only (the flows above run under the CSP).
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', bypassCSP: true })
    // Settled pages: no transition caught halfway (a fading tag has no contrast yet).
    await ctx.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
      const s = document.createElement('style')
      s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; }'
      document.head.appendChild(s)
    }))
    const page = await ctx.newPage()
    setCurrent(page)
    page.setDefaultTimeout(T)
    const report = []
    const bad = []
    for (const [name, path, ready] of scanned) {
      if (name === 'login') await page.goto(sw.base + path)
      else if (name === 'pupils') await login(page, sw)
      if (name !== 'pupils') await page.goto(sw.base + path)
      await page.getByTestId(ready).first().waitFor()
      await page.addScriptTag({ path: axePath })
      const r = await page.evaluate(async () => {
        const res = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
        return res.violations.map((v) => ({
          id: v.id, impact: v.impact, nodes: v.nodes.length,
          target: v.nodes[0]?.target?.join(' ') + ' ' + (v.nodes[0]?.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240),
        }))
      })
      report.push(`${name}: ${r.length ? r.map((v) => `${v.id}(${v.impact}, ${v.nodes})`).join(' ') : 'no violation'}`)
      for (const v of r) if (v.impact === 'serious' || v.impact === 'critical') bad.push(`${name}: ${v.id} (${v.impact}) ×${v.nodes} at ${v.target}`)
    }
    console.log('\n   axe: ' + report.join('\n   axe: '))
    await ctx.close()
    check(bad.length === 0, `accessibility violations:\n${bad.join('\n')}`)
  })
}

export async function consoleFlows(browser, sw, artifacts) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  const problems = []
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `console-${name}.png`), fullPage: true })
  await pupilsFlow(page, sw, shot)
  await cardFlow(page, sw, shot)
  await canteenFlow(page, sw, shot)
  await ctx.close()
  await phoneFlow(browser, sw, artifacts, problems)
  await facesFlow(browser, sw, artifacts)
  check(problems.length === 0, `browser problems on the console:\n${problems.join('\n')}`)
  await axeScan(browser, sw, artifacts)
}
