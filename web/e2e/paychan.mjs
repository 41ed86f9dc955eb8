// Browser steps of the payment channels (issue 15): on the recharge page the parent
// chooses 扫码支付 (Native), the result page draws the QR code of the order's
// code_url; the test reads that code_url from the page, plays the phone that scans it
// (POST /sandbox/scan on the demo's WeChat Pay sandbox) and the page turns credited
// with the balance risen by the amount.
import { check, step, text } from './steps.mjs'

const wechatUA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI Language/zh_CN'

const yuan = (s) => Math.round(Number(s.replace(/[^\d.]/g, '')) * 100)

export async function payChanParent(page, sw, shot) {
  await step('H5: 扫码支付 (Native): QR of code_url → sandbox scan → credited, balance rises', async () => {
    await page.goto(`${sw.base}/h5/`)
    await page.getByTestId('child').first().click()
    await page.waitForURL(/\/h5\/child\//)
    await page.getByTestId('go-recharge').click()
    const before = yuan(await page.getByTestId('balance').innerText())
    await page.getByTestId('preset-100').click()
    await page.getByTestId('channel-PAY_CHANNEL_NATIVE').click()
    check(await page.getByTestId('channel-PAY_CHANNEL_NATIVE').getAttribute('aria-checked') === 'true', 'Native not chosen')
    await page.getByTestId('pay').click()
    await page.waitForURL(/\/h5\/recharges\//)
    const qr = page.getByTestId('pay-qr')
    await qr.locator('canvas').waitFor()
    const codeURL = await qr.getAttribute('data-code-url')
    check(/^weixin:\/\/wxpay\/bizpayurl\?pr=/.test(codeURL ?? ''), `code_url on the page: ${codeURL}`)
    const width = await qr.locator('canvas').evaluate((c) => c.width)
    check(width > 100, `the QR canvas is ${width} px wide`)
    await shot('09b-native-qr')
    const r = await fetch(`${sw.sandbox}/sandbox/scan`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code_url: codeURL }),
    })
    check(r.ok, `sandbox scan answered ${r.status}`)
    await text(page.getByTestId('recharge-state'), '充值成功')
    const after = yuan(await page.getByTestId('balance').innerText())
    check(after === before + 10000, `balance ${before} → ${after} fen, want +10000`)
    check(await page.getByTestId('pay-qr').count() === 0, 'the QR code is still shown on a credited order')
    await shot('09c-native-credited')
    await page.goto(`${sw.base}/h5/`)
    await page.getByTestId('child').first().waitFor()
  })
}

// payChanInWeChat: the same parent's session in WeChat's browser (user agent
// MicroMessenger, a stand-in WeixinJSBridge): JSAPI is the channel offered first; the
// demo links no WeChat account (its OAuth is not wired yet), so the switch refuses
// with WECHAT_NOT_LINKED, shown on the page, and the bridge is never invoked.
export async function payChanInWeChat(page, sw, shot) {
  await step('H5 in WeChat: JSAPI offered first; an unlinked parent is told to link WeChat, nothing invoked', async () => {
    const token = await page.evaluate(() => sessionStorage.getItem('onecode.h5.token'))
    check(token, 'no H5 session to carry into WeChat')
    const ctx = await page.context().browser().newContext({
      viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN', userAgent: wechatUA,
    })
    await ctx.addInitScript((t) => {
      try { sessionStorage.setItem('onecode.h5.token', t) } catch { /* about:blank */ }
      window.WeixinJSBridge = { invoke: (name, params, cb) => { window.__invoked = [name, params]; cb({ err_msg: 'get_brand_wcpay_request:ok' }) } }
    }, token)
    const wx = await ctx.newPage()
    try {
      await wx.goto(`${sw.base}/h5/`)
      await wx.getByTestId('child').first().click()
      await wx.waitForURL(/\/h5\/child\//)
      await wx.getByTestId('go-recharge').click()
      const jsapi = wx.getByTestId('channel-PAY_CHANNEL_JSAPI')
      await jsapi.waitFor()
      check(await jsapi.getAttribute('aria-checked') === 'true', 'JSAPI is not the first choice inside WeChat')
      check(await wx.getByTestId('channel-PAY_CHANNEL_H5').count() === 0, 'H5 offered inside WeChat')
      await wx.getByTestId('preset-50').click()
      await wx.getByTestId('pay').click()
      await text(wx.getByTestId('error'), '尚未绑定微信')
      check(/\/recharge/.test(wx.url()) && !/\/recharges\//.test(wx.url()), `left the recharge page: ${wx.url()}`)
      check(await wx.evaluate(() => window.__invoked === undefined), 'WeixinJSBridge invoked without an order')
    } finally {
      await ctx.close()
    }
  })
}
