// Browser steps of the WeChat link (issue 12): a parent logs in, binds a pupil,
// links WeChat from the notice preferences through the push sandbox's OAuth page
// (standing in for WeChat's, which sends the browser straight back to
// /h5/wechat-link with a code and the state), sees "linked"; then an arrears sale
// of that pupil at the terminal sends the guardian a WeChat template message
// (WX_ARREARS), listed on the sandbox's page. Arrears are urgent, so the notice
// goes out at any hour (no quiet hours).
import { join } from 'node:path'
import { demoCard, inboxCount, otpFor, startPOS, waitFor } from './harness.mjs'
import { T, check, field, setCurrent, step, text, watch } from './steps.mjs'

const phone = '13900002222'
const pupil = { schoolId: '35001', name: '黄俊杰', studentNo: '2024000204', idNumber: '350102201504250572' } // balance ¥3.00

/** wechatMessages lists the WeChat template messages the push sandbox received. */
async function wechatMessages(sw) {
  const r = await fetch(`${sw.push}/sandbox/messages?channel=wechat`)
  if (!r.ok) throw new Error(`push sandbox answered ${r.status}`)
  return (await r.json()).messages ?? []
}

/** h5 calls the parent API with the H5 page's own session. */
async function h5(page, sw, path, body) {
  const token = await page.evaluate(() => sessionStorage.getItem('onecode.h5.token'))
  const r = await fetch(sw.base + path, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
  })
  if (!r.ok) throw new Error(`${path} answered ${r.status}: ${await r.text()}`)
  return r.json()
}

export async function wechatFlow(browser, sw, artifacts) {
  const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  const page = await ctx.newPage()
  setCurrent(page)
  page.setDefaultTimeout(T)
  const problems = []
  watch(page, problems)
  const shot = (name) => page.screenshot({ path: join(artifacts, `wechat-${name}.png`), fullPage: true })

  await step('WeChat: a parent logs in and binds 2024000204', async () => {
    await page.goto(`${sw.base}/h5/login`)
    await field(page, 'phone').fill(phone)
    const since = await inboxCount(sw)
    await page.getByTestId('send-code').click()
    await field(page, 'code').fill(await otpFor(sw, phone, since))
    await page.getByTestId('login').click()
    await page.waitForURL(`${sw.base}/h5/`)
    const found = await h5(page, sw, '/v1/parent/children:find', pupil)
    await h5(page, sw, '/v1/parent/children:bind', { bindTicket: found.bindTicket, relation: 'father', idNumber: pupil.idNumber })
  })

  await step('WeChat: preferences → link → the sandbox OAuth page → /h5/wechat-link → linked', async () => {
    await page.goto(`${sw.base}/h5/`)
    await page.getByTestId('notify-prefs').click()
    await page.waitForURL(/\/h5\/notifications/)
    await text(page.getByTestId('wechat-status'), '未绑定')
    await shot('01-not-linked')
    await page.getByTestId('wechat-link').click()
    await page.waitForURL(/\/h5\/wechat-link/)
    await text(page.getByTestId('wechat-link-state'), '微信绑定成功')
    check(!/[?&](code|state)=/.test(page.url()), `the code stays in the address: ${page.url()}`)
    await page.getByTestId('wechat-linked-at').waitFor()
    await shot('02-linked')
    await page.reload() // the code is single use and no longer in the address: nothing replays it
    await text(page.getByTestId('wechat-link-state'), '未获得微信授权')
    await page.goto(`${sw.base}/h5/notifications`)
    await text(page.getByTestId('wechat-status'), '已绑定')
    await shot('03-prefs-linked')
  })

  await step('WeChat: an arrears sale at the terminal → WX_ARREARS on the sandbox\'s WeChat list', async () => {
    const before = (await wechatMessages(sw)).length
    const pos = await startPOS(sw)
    try {
      pos.send('/clear')
      await pos.expect(/cart empty/, 'an empty cart')
      for (let i = 0; i < 4; i++) pos.send('D1001')
      await pos.expect(/TOTAL ¥?4\.00/, 'the cart total ¥4.00')
      pos.send(demoCard(sw, pupil.studentNo))
      await pos.expect(/DECLINED/, 'the decline (balance ¥3.00)')
      pos.send('/override')
      await pos.expect(/APPROVED AS ARREARS/, 'the arrears sale')
    } finally {
      await pos.stop()
    }
    const m = await waitFor('the arrears notice on the sandbox\'s WeChat list', async () =>
      (await wechatMessages(sw)).slice(before).find((x) => x.template_id === 'WX_ARREARS'), { timeoutMs: 20_000 })
    check(m.params?.first === '校园卡欠费提醒' && m.params?.keyword1 === '黄*杰' && m.params?.keyword3 === '4.00元', `the template message's data (first, keyword1…N, remark): ${JSON.stringify(m.params)}`)
    check(!sw.log.includes(m.to), 'the openid is in the switch log')
    await page.goto(`${sw.push}/sandbox/`)
    await text(page.getByTestId('wechat-message'), 'WX_ARREARS')
    await shot('04-sandbox-wechat-list')
  })

  check(problems.length === 0, `browser problems in the WeChat flow:\n${problems.join('\n')}`)
  await ctx.close()
}
