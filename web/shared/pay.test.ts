import { describe, expect, it } from 'vitest'
import { channels, inWeChat, payInWeChat, type JSAPIPayment } from './pay'

const wechatUA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.47 NetType/WIFI'
const pcUA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36'
const phoneUA = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36'

describe('channels', () => {
  it('offers JSAPI inside WeChat, H5 on a phone, the QR code on a PC', () => {
    expect(inWeChat(wechatUA)).toBe(true)
    expect(channels(wechatUA)[0]).toBe('PAY_CHANNEL_JSAPI')
    expect(channels(phoneUA)[0]).toBe('PAY_CHANNEL_H5')
    expect(channels(pcUA)[0]).toBe('PAY_CHANNEL_NATIVE')
    expect(channels(pcUA, true)[0]).toBe('PAY_CHANNEL_H5')
  })
})

describe('payInWeChat', () => {
  it('invokes getBrandWCPayRequest with exactly the signed parameters', async () => {
    const p: JSAPIPayment = { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx2', signType: 'RSA', paySign: 's' }
    let got: unknown
    const w = { WeixinJSBridge: { invoke: (name: string, params: unknown, cb: (r: { err_msg: string }) => void) => { got = [name, params]; cb({ err_msg: 'get_brand_wcpay_request:ok' }) } } }
    expect(await payInWeChat({ ...p, extra: 1 } as JSAPIPayment, w as unknown as Window)).toBe('ok')
    expect(got).toEqual(['getBrandWCPayRequest', p])
  })
})
