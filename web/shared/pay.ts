// Payment channels of the parent H5 (PayChannel in parent.proto): H5 (a mobile
// browser goes to payUrl), JSAPI (inside WeChat: WeixinJSBridge pays with the signed
// parameters) and NATIVE (a PC shows a QR code of codeUrl, scanned with the phone).

export type PayChannel = 'PAY_CHANNEL_H5' | 'PAY_CHANNEL_JSAPI' | 'PAY_CHANNEL_NATIVE'

/** JSAPIPayment: getBrandWCPayRequest's parameters, as the switch signed them. */
export interface JSAPIPayment {
  appId: string
  timeStamp: string
  nonceStr: string
  package: string
  signType: string
  paySign: string
}

/** inWeChat: the page runs in WeChat's browser (its user agent says MicroMessenger). */
export function inWeChat(ua: string): boolean {
  return /MicroMessenger/i.test(ua)
}

/** isMobile: a phone or tablet browser (else a PC, where a QR code is scanned). */
export function isMobile(ua: string): boolean {
  return /Android|iPhone|iPad|iPod|Mobile|HarmonyOS/i.test(ua)
}

/**
 * channels are the channels offered to this browser, the preferred first: inside
 * WeChat JSAPI (H5 is refused there by WeChat Pay); on a phone (a mobile user agent,
 * or a touch screen as primary pointer) H5; on a PC the QR code first, H5 second.
 */
export function channels(ua: string, touch = false): PayChannel[] {
  if (inWeChat(ua)) return ['PAY_CHANNEL_JSAPI', 'PAY_CHANNEL_NATIVE']
  if (isMobile(ua) || touch) return ['PAY_CHANNEL_H5', 'PAY_CHANNEL_NATIVE']
  return ['PAY_CHANNEL_NATIVE', 'PAY_CHANNEL_H5']
}

/** browserChannels are channels() of this browser. */
export function browserChannels(): PayChannel[] {
  const touch = typeof window.matchMedia === 'function' && window.matchMedia('(pointer: coarse)').matches
  return channels(navigator.userAgent, touch)
}

export type JSAPIOutcome = 'ok' | 'cancel' | 'fail' | 'unavailable'

interface Bridge {
  invoke(name: string, params: JSAPIPayment, cb: (r: { err_msg?: string }) => void): void
}

/**
 * payInWeChat hands the parameters to WeixinJSBridge.invoke('getBrandWCPayRequest')
 * (waiting for WeixinJSBridgeReady when the bridge is not there yet). Its answer is
 * only a hint: the order is credited by the provider's notification, which the
 * result page polls for.
 */
export function payInWeChat(p: JSAPIPayment, w: Window = window, waitMs = 3000): Promise<JSAPIOutcome> {
  const params: JSAPIPayment = {
    appId: p.appId, timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType: p.signType, paySign: p.paySign,
  }
  return new Promise((resolve) => {
    const call = (b: Bridge) =>
      b.invoke('getBrandWCPayRequest', params, (r) => {
        const m = r?.err_msg ?? ''
        resolve(m.endsWith(':ok') ? 'ok' : m.endsWith(':cancel') ? 'cancel' : 'fail')
      })
    const now = (w as unknown as { WeixinJSBridge?: Bridge }).WeixinJSBridge
    if (now) return call(now)
    const timer = setTimeout(() => resolve('unavailable'), waitMs)
    w.document.addEventListener('WeixinJSBridgeReady', () => {
      clearTimeout(timer)
      const b = (w as unknown as { WeixinJSBridge?: Bridge }).WeixinJSBridge
      if (b) call(b)
      else resolve('unavailable')
    }, { once: true })
  })
}
