// Browser steps of the payment channels (issue 15): on the recharge page the parent
// chooses 扫码支付 (Native), the result page draws the QR code of the order's
// code_url; the test reads that code_url from the page, plays the phone that scans it
// (POST /sandbox/scan on the demo's WeChat Pay sandbox) and the page turns credited
// with the balance risen by the amount.
import { check, step, text } from './steps.mjs'

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
