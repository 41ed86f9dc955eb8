// Browser steps of the guardian's inbox (GET /v1/parent/notices): the parent opens
// "我的消息" from the children page and sees the login code notice of their own
// phone, the code masked, the time in China time.
import { check, step, text } from './steps.mjs'

export async function inboxParent(page, sw, shot) {
  await step('H5: inbox shows my login-code notice, the code masked', async () => {
    await page.goto(`${sw.base}/h5/`)
    await page.getByTestId('inbox').click()
    await page.waitForURL(/\/h5\/inbox/)
    const notice = page.getByTestId('inbox-notice').filter({ hasText: '登录验证码' }).first()
    await text(notice, '******')
    const body = await notice.innerText()
    check(!/\d{6}/.test(body.replace(/\d{4}-\d{2}-\d{2}/g, '')), `the inbox shows a code: ${body}`)
    await shot('12b-inbox')
    await page.goto(`${sw.base}/h5/`)
  })
}
